package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
)

const obsDir = "testdata/observe/"

func TestObserveGolden(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		golden string
	}{
		{"table with inventory", []string{"observe", obsDir + "enis.json", "--flows", obsDir + "flows-v5.log"}, "observe/v5-inventory.txt"},
		{"json with inventory", []string{"observe", obsDir + "enis.json", "--flows", obsDir + "flows-v5.log", "--format", "json"}, "observe/v5-inventory.json"},
		{"json v2 tolerated bad line", []string{"observe", "--flows", obsDir + "flows-v2.log", "--format", "json", "--max-bad-lines", "20%"}, "observe/v2.json"},
		{"csv v2", []string{"observe", "--flows", obsDir + "flows-v2.log", "--format", "csv", "--max-bad-lines", "-1"}, "observe/v2.csv"},
		// #14: a pod's connections (pkt-* addresses on its node's interface),
		// a NAT gateway's forwarded traffic, an interface whose own side the
		// records do not tell.
		{"table forwarded and undetermined", []string{"observe", "--flows", obsDir + "forwarding.log"}, "observe/forwarding.txt"},
		{"json forwarded and undetermined", []string{"observe", "--flows", obsDir + "forwarding.log", "--format", "json"}, "observe/forwarding.json"},
		// Several pods of one node interface reach the same database port:
		// a row each, told apart by the LOCAL column.
		{"table several pods", []string{"observe", "--flows", obsDir + "pods.log"}, "observe/pods.txt"},
		{"csv several pods", []string{"observe", "--flows", obsDir + "pods.log", "--format", "csv"}, "observe/pods.csv"},
		{"csv forwarded and undetermined", []string{"observe", "--flows", obsDir + "forwarding.log", "--format", "csv"}, "observe/forwarding.csv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := run(t, tt.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			golden(t, tt.golden, out)
		})
	}
}

func TestObserveJSONShape(t *testing.T) {
	out, _, code := run(t, "observe", "--flows", obsDir+"flows-v5.log", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var doc struct {
		Observations []map[string]any `json:"observations"`
		Stats        map[string]any   `json:"stats"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	first := doc.Observations[0]
	for k, want := range map[string]any{"interfaceId": "eni-0a0000000000000001", "direction": "outbound",
		"protocol": "tcp", "port": 443.0, "remote": "203.0.113.50", "flows": 2.0, "confidence": "exact"} {
		if first[k] != want {
			t.Errorf("%s = %v, want %v", k, first[k], want)
		}
	}
	if doc.Stats["records"] != 7.0 || doc.Stats["nodataRecords"] != 1.0 {
		t.Errorf("stats = %v", doc.Stats)
	}
}

func TestObserveStdinAndFlowFormat(t *testing.T) {
	data, err := os.ReadFile(obsDir + "flows-v5.log")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitN(string(data), "\n", 2) // drop the header: --flow-format names the fields
	format := "${" + strings.Join(strings.Fields(lines[0]), "} ${") + "}"
	var out, errOut bytes.Buffer
	code := Main(context.Background(), []string{"observe", "--flows", "-", "--flow-format", format, "--format", "csv"},
		&IOStreams{In: strings.NewReader(lines[1]), Out: &out, ErrOut: &errOut})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	want, _, _ := run(t, "observe", "--flows", obsDir+"flows-v5.log", "--format", "csv")
	if out.String() != want {
		t.Errorf("stdin with --flow-format differs:\n%s\nvs\n%s", out.String(), want)
	}
}

func TestObserveBadInput(t *testing.T) {
	tests := []struct {
		name string
		args []string
		msg  string
	}{
		{"too many bad lines", []string{"observe", "--flows", obsDir + "flows-v2.log"}, "flows-v2.log:6: 6 fields, the format has 14"},
		{"no flows", []string{"observe"}, "--flows"},
		{"missing source", []string{"observe", "--flows", obsDir + "nope.log"}, "nope.log"},
		{"bad format", []string{"observe", "--flows", obsDir + "flows-v5.log", "--format", "xml"}, "--format"},
		{"bad since", []string{"observe", "--flows", obsDir + "flows-v5.log", "--since", "yesterday"}, "--since"},
		{"bad flow format", []string{"observe", "--flows", obsDir + "flows-v5.log", "--flow-format", "${srcaddr}"}, "--flow-format"},
		{"flow format without ports, protocol or action", []string{"observe", "--flows", "-", "--flow-format", "${interface-id} ${srcaddr} ${dstaddr} ${dst-port}"},
			`--flow-format: flow format lacks the required fields srcport, dstport, protocol, action (it names fields walls does not know: "dst-port")`},
		{"header without protocol", []string{"observe", "--flows", obsDir + "no-protocol.log"}, "no-protocol.log:1: header line refused: flow format lacks the required field protocol"},
		{"until before since", []string{"observe", "--flows", obsDir + "flows-v5.log", "--since", "2026-01-02", "--until", "2026-01-01"}, "--until"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errOut, code := run(t, tt.args...)
			if code != ExitBadInput || !strings.Contains(errOut, tt.msg) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, errOut, tt.msg)
			}
		})
	}
}

func TestObserveSince(t *testing.T) {
	out, errOut, code := run(t, "observe", "--flows", obsDir+"flows-v5.log", "--format", "csv", "--since", "1700000045")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	// Only the SSH windows (to 1700000060) and the database window (to
	// 1700000050) end after the cut.
	if n := strings.Count(out, "\n"); n != 3 || !strings.Contains(out, ",22,") || !strings.Contains(out, ",5432,") {
		t.Errorf("got:\n%s", out)
	}
}

func TestObserveProgressOnTerminal(t *testing.T) {
	var out, errOut bytes.Buffer
	code := Main(context.Background(), []string{"observe", "--flows", obsDir + "flows-v5.log", "--format", "csv"},
		&IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut, ErrTTY: true})
	if code != 0 || !strings.Contains(errOut.String(), "reading flow logs:") {
		t.Errorf("exit %d, stderr %q", code, errOut.String())
	}
}

func TestObserveQuietDrawsNoProgress(t *testing.T) {
	var out, errOut bytes.Buffer
	code := Main(context.Background(), []string{"observe", "--quiet", "--flows", obsDir + "flows-v5.log", "--format", "csv"},
		&IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut, ErrTTY: true})
	if code != 0 || strings.Contains(errOut.String(), "reading flow logs") {
		t.Errorf("exit %d, stderr %q", code, errOut.String())
	}
}

// TestObserveCSVForwarded: the CSV holds the forwarded rows after the
// connections under its one header, kind telling them apart, each row as
// many fields as the header, the columns of the other kind empty - as any
// CSV reader (encoding/csv here, csvkit, DuckDB) reads it.
func TestObserveCSVForwarded(t *testing.T) {
	out, errOut, code := run(t, "observe", "--flows", obsDir+"forwarding.log", "--format", "csv")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	if col["interfaceId"] != 0 || col["localUndetermined"] != 18 || col["kind"] != 19 {
		t.Fatalf("header %v: the existing columns must keep their places, kind after them", rows[0])
	}
	kinds := map[string]int{}
	var fwd []string
	for _, r := range rows[1:] {
		kinds[r[col["kind"]]]++
		if r[col["kind"]] == "forwarded" {
			fwd = r
			continue
		}
		if r[col["initiator"]] != "" || r[col["responder"]] != "" || r[col["direction"]] == "" {
			t.Errorf("connection row %v", r)
		}
	}
	if kinds["forwarded"] != 1 || kinds["connection"] == 0 || len(kinds) != 2 {
		t.Fatalf("kinds %v:\n%s", kinds, out)
	}
	want := map[string]string{"interfaceId": "eni-0b00000000000000nat", "direction": "", "remote": "", "local": "",
		"protocol": "tcp", "port": "443", "initiator": "10.0.1.5", "responder": "203.0.113.5", "action": "ACCEPT",
		"flows": "2", "packets": "10", "bytes": "1000", "confidence": "exact"}
	for k, v := range want {
		if fwd[col[k]] != v {
			t.Errorf("forwarded %s = %q, want %q", k, fwd[col[k]], v)
		}
	}
	if !strings.Contains(errOut, `CSV rows of kind "forwarded"`) {
		t.Errorf("stderr does not say where the forwarded rows went: %s", errOut)
	}
}

// TestObserveCSVForwardedParquet: the same records as Parquet, as AWS
// delivers them (no "-": absent values are nulls), give the same CSV,
// forwarded rows included.
func TestObserveCSVForwardedParquet(t *testing.T) {
	type row struct {
		Version     int32   `parquet:"version"`
		InterfaceID string  `parquet:"interface_id"`
		InstanceID  *string `parquet:"instance_id,optional"`
		Srcaddr     string  `parquet:"srcaddr"`
		Dstaddr     string  `parquet:"dstaddr"`
		Srcport     int32   `parquet:"srcport"`
		Dstport     int32   `parquet:"dstport"`
		Protocol    int32   `parquet:"protocol"`
		Packets     int64   `parquet:"packets"`
		Bytes       int64   `parquet:"bytes"`
		Start       int64   `parquet:"start"`
		End         int64   `parquet:"end"`
		Action      string  `parquet:"action"`
		LogStatus   string  `parquet:"log_status"`
		TCPFlags    *int32  `parquet:"tcp_flags,optional"`
		PktSrcaddr  string  `parquet:"pkt_srcaddr"`
		PktDstaddr  string  `parquet:"pkt_dstaddr"`
	}
	data, err := os.ReadFile(obsDir + "forwarding.log")
	if err != nil {
		t.Fatal(err)
	}
	var rows []row
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n")[1:] {
		f := strings.Fields(line)
		n := func(i int) int64 { v, _ := strconv.ParseInt(f[i], 10, 64); return v }
		r := row{Version: 5, InterfaceID: f[1], Srcaddr: f[3], Dstaddr: f[4], Srcport: int32(n(5)), Dstport: int32(n(6)),
			Protocol: int32(n(7)), Packets: n(8), Bytes: n(9), Start: n(10), End: n(11), Action: f[12], LogStatus: f[13],
			PktSrcaddr: f[15], PktDstaddr: f[16]}
		if f[2] != "-" {
			r.InstanceID = &f[2]
		}
		if f[14] != "-" {
			fl := int32(n(14))
			r.TCPFlags = &fl
		}
		rows = append(rows, r)
	}
	p := filepath.Join(t.TempDir(), "forwarding.parquet")
	var buf bytes.Buffer
	if err := parquet.Write(&buf, rows); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := run(t, "observe", "--flows", p, "--format", "csv")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	want, _, _ := run(t, "observe", "--flows", obsDir+"forwarding.log", "--format", "csv")
	if out != want || !strings.Contains(out, ",forwarded,10.0.1.5,203.0.113.5,") {
		t.Errorf("Parquet gives:\n%s\ntext gives:\n%s", out, want)
	}
}
