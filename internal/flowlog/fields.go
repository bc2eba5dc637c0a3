package flowlog

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Field is one flow log field (docs/semantics.md#flowlog-fields). Unknown fields of newer versions
// are kept as FieldUnknown and their values carried as opaque text.
type Field uint8

// The fields of versions 2 to 8, plus the newer ones the spec names.
const (
	FieldUnknown Field = iota
	FieldVersion
	FieldAccountID
	FieldInterfaceID
	FieldSrcAddr
	FieldDstAddr
	FieldSrcPort
	FieldDstPort
	FieldProtocol
	FieldPackets
	FieldBytes
	FieldStart
	FieldEnd
	FieldAction
	FieldLogStatus
	FieldVpcID
	FieldSubnetID
	FieldInstanceID
	FieldTCPFlags
	FieldType
	FieldPktSrcAddr
	FieldPktDstAddr
	FieldRegion
	FieldAzID
	FieldSublocationType
	FieldSublocationID
	FieldPktSrcAWSService
	FieldPktDstAWSService
	FieldFlowDirection
	FieldTrafficPath
	FieldECSClusterARN
	FieldECSClusterName
	FieldECSContainerInstanceARN
	FieldECSContainerInstanceID
	FieldECSContainerID
	FieldECSSecondContainerID
	FieldECSServiceName
	FieldECSTaskDefinitionARN
	FieldECSTaskARN
	FieldECSTaskID
	FieldRejectReason
	FieldResourceID
	FieldEncryptionStatus
	numFields
)

// fieldInfo is the name AWS gives a field in LogFormat and in the S3 header
// (hyphenated) and the version that introduced it.
var fieldInfo = [numFields]struct {
	name    string
	version int
}{
	FieldUnknown:                 {"", 0},
	FieldVersion:                 {"version", 2},
	FieldAccountID:               {"account-id", 2},
	FieldInterfaceID:             {"interface-id", 2},
	FieldSrcAddr:                 {"srcaddr", 2},
	FieldDstAddr:                 {"dstaddr", 2},
	FieldSrcPort:                 {"srcport", 2},
	FieldDstPort:                 {"dstport", 2},
	FieldProtocol:                {"protocol", 2},
	FieldPackets:                 {"packets", 2},
	FieldBytes:                   {"bytes", 2},
	FieldStart:                   {"start", 2},
	FieldEnd:                     {"end", 2},
	FieldAction:                  {"action", 2},
	FieldLogStatus:               {"log-status", 2},
	FieldVpcID:                   {"vpc-id", 3},
	FieldSubnetID:                {"subnet-id", 3},
	FieldInstanceID:              {"instance-id", 3},
	FieldTCPFlags:                {"tcp-flags", 3},
	FieldType:                    {"type", 3},
	FieldPktSrcAddr:              {"pkt-srcaddr", 3},
	FieldPktDstAddr:              {"pkt-dstaddr", 3},
	FieldRegion:                  {"region", 4},
	FieldAzID:                    {"az-id", 4},
	FieldSublocationType:         {"sublocation-type", 4},
	FieldSublocationID:           {"sublocation-id", 4},
	FieldPktSrcAWSService:        {"pkt-src-aws-service", 5},
	FieldPktDstAWSService:        {"pkt-dst-aws-service", 5},
	FieldFlowDirection:           {"flow-direction", 5},
	FieldTrafficPath:             {"traffic-path", 5},
	FieldECSClusterARN:           {"ecs-cluster-arn", 7},
	FieldECSClusterName:          {"ecs-cluster-name", 7},
	FieldECSContainerInstanceARN: {"ecs-container-instance-arn", 7},
	FieldECSContainerInstanceID:  {"ecs-container-instance-id", 7},
	FieldECSContainerID:          {"ecs-container-id", 7},
	FieldECSSecondContainerID:    {"ecs-second-container-id", 7},
	FieldECSServiceName:          {"ecs-service-name", 7},
	FieldECSTaskDefinitionARN:    {"ecs-task-definition-arn", 7},
	FieldECSTaskARN:              {"ecs-task-arn", 7},
	FieldECSTaskID:               {"ecs-task-id", 7},
	FieldRejectReason:            {"reject-reason", 8},
	FieldResourceID:              {"resource-id", 10},
	FieldEncryptionStatus:        {"encryption-status", 10},
}

// String returns the field's AWS name ("pkt-srcaddr").
func (f Field) String() string {
	if f < numFields && f != FieldUnknown {
		return fieldInfo[f].name
	}
	return "unknown"
}

// Version is the flow log version that introduced the field.
func (f Field) Version() int {
	if f < numFields {
		return fieldInfo[f].version
	}
	return 0
}

// LookupField finds a field by its AWS name, hyphenated ("tcp-flags") or
// with underscores as in Parquet columns ("tcp_flags"). ok is false for
// names walls does not know; such fields are kept as opaque columns.
func LookupField(name string) (f Field, ok bool) {
	n := strings.ReplaceAll(strings.ToLower(name), "_", "-")
	for i := Field(1); i < numFields; i++ {
		if fieldInfo[i].name == n {
			return i, true
		}
	}
	return FieldUnknown, false
}

// Format is the ordered list of columns of a flow log: the default format,
// a custom LogFormat, an S3 header line, or Parquet column names.
type Format struct {
	cols  []Field
	names []string // as written, for unknown fields and messages
	pos   [numFields]int16
}

// DefaultLogFormat is the version-2 default format (docs/semantics.md#flowlog-fields).
const DefaultLogFormat = "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}"

// DefaultFormat returns the version-2 default format.
func DefaultFormat() *Format {
	f, err := ParseLogFormat(DefaultLogFormat)
	if err != nil {
		panic(err) // a constant; tested
	}
	return f
}

// ParseLogFormat reads the AWS LogFormat syntax: "${field} ${field} …"
// separated by spaces. Unknown field names are accepted as opaque columns
// (docs/semantics.md#flowlog-fields); a format must name at least one field, and no
// field twice.
func ParseLogFormat(s string) (*Format, error) {
	toks := strings.Fields(s)
	if len(toks) == 0 {
		return nil, fmt.Errorf("flow format is empty: want fields like '${version} ${interface-id} ...'")
	}
	names := make([]string, len(toks))
	for i, t := range toks {
		if !strings.HasPrefix(t, "${") || !strings.HasSuffix(t, "}") || len(t) < 4 {
			return nil, fmt.Errorf("flow format: %q is not a ${field} reference", t)
		}
		names[i] = t[2 : len(t)-1]
	}
	return newFormat(names)
}

// ParseHeader reads the header line that S3 delivery writes at the top of
// each plain-text file: the field names in format order, without ${}.
// It reports an error when the line is not a header (for example a
// record), so callers can try it on every first line, and, for a line that
// is a header walls cannot use, which field is wrong and why.
func ParseHeader(line string) (*Format, error) {
	f, _, err := parseHeader(line)
	return f, err
}

// parseHeader is ParseHeader that also tells whether the line is a header
// at all: one whose tokens are field names (at least one of them known to
// walls), or one that names at least two known fields. No record does
// either: every record holds addresses, numbers or "-", none of which is a
// field name. A header is refused with the column and the reason.
func parseHeader(line string) (f *Format, isHeader bool, err error) {
	toks := strings.Fields(line)
	if len(toks) == 0 {
		return nil, false, fmt.Errorf("not a header line: empty")
	}
	known, odd := 0, -1
	for i, t := range toks {
		if _, ok := LookupField(t); ok {
			known++
		}
		if !isFieldName(t) && odd < 0 {
			odd = i
		}
	}
	switch {
	case known == 0 && odd >= 0:
		return nil, false, fmt.Errorf("not a header line: %q is not a field name", toks[odd])
	case known == 0:
		return nil, false, fmt.Errorf("not a header line: no known field name")
	case odd >= 0 && (known < 2 || line[0] >= '0' && line[0] <= '9'):
		return nil, false, fmt.Errorf("not a header line: %q is not a field name", toks[odd])
	case odd >= 0:
		msg := fmt.Sprintf("column %d %q is not a field name (lower-case letters, digits, - and _, starting with a letter)", odd+1, toks[odd])
		if fld, ok := LookupField(toks[odd]); ok {
			msg += fmt.Sprintf("; did you mean %q?", fld.String())
		}
		return nil, true, errors.New(msg)
	}
	f, err = newFormat(toks)
	return f, true, err
}

// isFieldName reports whether t looks like a flow log field name: lower-case
// letters, digits, '-' and '_', starting with a letter.
func isFieldName(t string) bool {
	if t == "" || t[0] < 'a' || t[0] > 'z' {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// newFormat builds a format from field names. A refusal names the column
// and the field at fault and says why.
func newFormat(names []string) (*Format, error) {
	f := &Format{cols: make([]Field, len(names)), names: names}
	for i := range f.pos {
		f.pos[i] = -1
	}
	if len(names) > 255 {
		return nil, fmt.Errorf("flow format has %d fields, at most 255 are supported", len(names))
	}
	seen := map[string]int{}
	var unknown []string
	for i, n := range names {
		if n == "" {
			return nil, fmt.Errorf("flow format: column %d has an empty field name", i+1)
		}
		if j, dup := seen[n]; dup {
			return nil, fmt.Errorf("flow format: field %q appears twice (columns %d and %d); each field may appear once", n, j+1, i+1)
		}
		seen[n] = i
		fld, _ := LookupField(n)
		f.cols[i] = fld
		if fld == FieldUnknown {
			unknown = append(unknown, strconv.Quote(n))
			continue
		}
		if j := f.pos[fld]; j >= 0 {
			return nil, fmt.Errorf("flow format: column %d %q is field %s again (column %d %q); each field may appear once", i+1, n, fld, j+1, names[j])
		}
		f.pos[fld] = int16(i)
	}
	if err := f.checkRequired(unknown); err != nil {
		return nil, err
	}
	return f, nil
}

// RequiredFields are the fields every observation rests on: the interface,
// both addresses, the protocol, both ports and the action. A format
// without one of them cannot tell what was allowed to whom, so walls
// refuses it rather than report protocol "unknown" or port 0.
var RequiredFields = []Field{FieldInterfaceID, FieldSrcAddr, FieldDstAddr, FieldSrcPort, FieldDstPort, FieldProtocol, FieldAction}

// checkRequired names the required fields the format lacks, what a
// useful format holds, and the names it did not know (often the same
// fields misspelt).
func (f *Format) checkRequired(unknown []string) error {
	var missing []string
	for _, fld := range RequiredFields {
		if f.pos[fld] < 0 {
			missing = append(missing, fld.String())
		}
	}
	if len(missing) == 0 {
		return nil
	}
	msg := fmt.Sprintf("flow format lacks the required field %s", strings.Join(missing, ", "))
	if len(missing) > 1 {
		msg = fmt.Sprintf("flow format lacks the required fields %s", strings.Join(missing, ", "))
	}
	if len(unknown) > 0 {
		msg += fmt.Sprintf(" (it names fields walls does not know: %s)", strings.Join(unknown, ", "))
	}
	msg += "; observations need interface-id, srcaddr, dstaddr, srcport, dstport, protocol and action, as the default" +
		" version-2 format has them (tcp-flags, flow-direction and pkt-srcaddr/pkt-dstaddr, version 3 and later, make them exact)"
	return errors.New(msg)
}

// Len is the number of columns.
func (f *Format) Len() int { return len(f.cols) }

// Has reports whether the format carries field fld.
func (f *Format) Has(fld Field) bool { return fld < numFields && f.pos[fld] >= 0 }

// Column returns the field of column i.
func (f *Format) Column(i int) Field { return f.cols[i] }

// Version is the highest version among the format's known fields: the
// value AWS writes in ${version} (docs/semantics.md#flowlog-fields).
func (f *Format) Version() int {
	v := 2
	for _, c := range f.cols {
		if c.Version() > v && c.Version() <= 8 {
			v = c.Version()
		}
	}
	return v
}

// String renders the format in LogFormat syntax.
func (f *Format) String() string {
	var b strings.Builder
	for i, n := range f.names {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString("${" + n + "}")
	}
	return b.String()
}
