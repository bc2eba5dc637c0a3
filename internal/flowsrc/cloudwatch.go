package flowsrc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/walls-dev/walls/internal/flowlog"
)

// ParseCloudWatchURL splits cloudwatch://LOG-GROUP[/STREAM-PREFIX]. Log
// group names may hold slashes (/aws/vpc/flow-logs), so the last segment
// is a stream prefix only when it names flow-log streams, which are named
// after the interface: eni-… (or tgw-… for transit gateways).
func ParseCloudWatchURL(v string) (group, streamPrefix string, err error) {
	rest, ok := strings.CutPrefix(v, "cloudwatch://")
	if !ok {
		return "", "", &URLError{v, "expected cloudwatch://LOG-GROUP[/STREAM-PREFIX]"}
	}
	group = rest
	if i := strings.LastIndexByte(rest, '/'); i > 0 {
		if last := rest[i+1:]; strings.HasPrefix(last, "eni-") || strings.HasPrefix(last, "tgw-") {
			group, streamPrefix = rest[:i], last
		}
	}
	group = strings.TrimSuffix(group, "/")
	if group == "" || strings.TrimLeft(group, "/") == "" {
		return "", "", &URLError{v, "no log group: expected cloudwatch://LOG-GROUP[/STREAM-PREFIX]"}
	}
	for _, c := range group {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("._-/#", c)) {
			return "", "", &URLError{v, fmt.Sprintf("%q is not a log group name (letters, digits and . _ - / #)", group)}
		}
	}
	return group, streamPrefix, nil
}

// FlowLogFormats returns the formats of the flow logs that deliver to a
// CloudWatch Logs group (ec2:DescribeFlowLogs, filter log-group-name),
// each with the flow log ids that use it.
func FlowLogFormats(ctx context.Context, client *ec2.Client, group string) (map[string][]string, error) {
	out := map[string][]string{}
	p := ec2.NewDescribeFlowLogsPaginator(client, &ec2.DescribeFlowLogsInput{
		Filter: []ec2types.Filter{{Name: aws.String("log-group-name"), Values: []string{group}}},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, errors.New(describe(err))
		}
		for _, fl := range page.FlowLogs {
			if aws.ToString(fl.LogGroupName) != group && fl.LogGroupName != nil {
				continue
			}
			f := aws.ToString(fl.LogFormat)
			out[f] = append(out[f], aws.ToString(fl.FlowLogId))
		}
	}
	for _, ids := range out {
		sort.Strings(ids)
	}
	return out, nil
}

// CloudWatch is a log group's flow log events as one flowlog Object:
// FilterLogEvents pages, each event's message one record line.
type CloudWatch struct {
	Client       *cloudwatchlogs.Client
	Group        string
	StreamPrefix string
	// Window bounds the events asked for, widened by Margin (an event's
	// timestamp is its record's start); flowlog keeps the exact window.
	Window Window
	// Fields is the group's record format; nil means Options.Format.
	Fields *flowlog.Format

	pages, events atomic.Int64
}

// Name is cloudwatch://group[/prefix].
func (c *CloudWatch) Name() string {
	if c.StreamPrefix != "" {
		return "cloudwatch://" + c.Group + "/" + c.StreamPrefix
	}
	return "cloudwatch://" + c.Group
}

// Size is unknown beforehand.
func (c *CloudWatch) Size() int64 { return -1 }

// Format is the group's record format, or nil.
func (c *CloudWatch) Format() *flowlog.Format { return c.Fields }

// Pages and Events count what was fetched.
func (c *CloudWatch) Pages() int64  { return c.pages.Load() }
func (c *CloudWatch) Events() int64 { return c.events.Load() }

// Open pages through FilterLogEvents as the reader is read.
func (c *CloudWatch) Open(ctx context.Context) (io.ReadCloser, error) {
	in := &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(c.Group)}
	if c.StreamPrefix != "" {
		in.LogStreamNamePrefix = aws.String(c.StreamPrefix)
	}
	if !c.Window.Since.IsZero() {
		in.StartTime = aws.Int64(c.Window.Since.Add(-Margin).UnixMilli())
	}
	if !c.Window.Until.IsZero() {
		in.EndTime = aws.Int64(c.Window.Until.Add(Margin).UnixMilli())
	}
	return &cwReader{ctx: ctx, c: c, p: cloudwatchlogs.NewFilterLogEventsPaginator(c.Client, in)}, nil
}

type cwReader struct {
	ctx context.Context
	c   *CloudWatch
	p   *cloudwatchlogs.FilterLogEventsPaginator
	buf bytes.Buffer
}

func (r *cwReader) Read(b []byte) (int, error) {
	for r.buf.Len() == 0 {
		if !r.p.HasMorePages() {
			return 0, io.EOF
		}
		page, err := r.p.NextPage(r.ctx)
		if err != nil {
			return 0, fmt.Errorf("FilterLogEvents: %s", describe(err))
		}
		r.c.pages.Add(1)
		r.c.events.Add(int64(len(page.Events)))
		for _, e := range page.Events {
			msg := aws.ToString(e.Message)
			// One event is one line: a message holding a line break is
			// kept whole (and found malformed), not split into two.
			if strings.ContainsAny(msg, "\r\n") {
				msg = lineBreaks.Replace(msg)
			}
			r.buf.WriteString(msg)
			r.buf.WriteByte('\n')
		}
	}
	return r.buf.Read(b)
}

func (r *cwReader) Close() error { return nil }

var lineBreaks = strings.NewReplacer("\r", " ", "\n", " ")
