package render

import (
	"bufio"
	"encoding/json"
	"io"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/walls-dev/walls/internal/flowlog"
	"github.com/walls-dev/walls/internal/safe"
	"github.com/walls-dev/walls/internal/vpc"
)

// observationJSON is one observation in the shape README.md documents for observe --format json.
type observationJSON struct {
	InterfaceID          string   `json:"interfaceId"`
	Direction            string   `json:"direction"`
	Protocol             string   `json:"protocol"`
	Port                 uint16   `json:"port"`
	Remote               string   `json:"remote"`
	Local                string   `json:"local,omitempty"`
	LocalUndetermined    bool     `json:"localUndetermined,omitempty"`
	Action               string   `json:"action"`
	Flows                uint64   `json:"flows"`
	Packets              uint64   `json:"packets"`
	Bytes                uint64   `json:"bytes"`
	FirstSeen            string   `json:"firstSeen,omitempty"`
	LastSeen             string   `json:"lastSeen,omitempty"`
	Confidence           string   `json:"confidence"`
	InstanceID           string   `json:"instanceId,omitempty"`
	SubnetID             string   `json:"subnetId,omitempty"`
	SecurityGroups       []string `json:"securityGroups,omitempty"`
	RemoteInterfaceID    string   `json:"remoteInterfaceId,omitempty"`
	RemoteSecurityGroups []string `json:"remoteSecurityGroups,omitempty"`
}

// annotate converts an observation, adding inventory facts when known.
func annotate(ob *flowlog.Observation, inv *vpc.Inventory) observationJSON {
	act := "ACCEPT"
	if !ob.Accepted {
		act = "REJECT"
	}
	j := observationJSON{
		InterfaceID: ob.InterfaceID, Direction: ob.Direction.String(), Protocol: flowlog.ProtocolName(ob.Protocol),
		Port: ob.Port, Remote: ob.Remote.String(), Action: act, Flows: ob.Flows, Packets: ob.Packets,
		Bytes: ob.Bytes, Confidence: ob.Confidence.String(),
	}
	if ob.Local.IsValid() {
		j.Local = ob.Local.String()
	}
	j.LocalUndetermined = ob.LocalUndetermined
	if !ob.FirstSeen.IsZero() {
		j.FirstSeen = string(appendRFC3339(nil, ob.FirstSeen))
	}
	if !ob.LastSeen.IsZero() {
		j.LastSeen = string(appendRFC3339(nil, ob.LastSeen))
	}
	if inv == nil {
		return j
	}
	if e := inv.Interfaces[ob.InterfaceID]; e != nil {
		j.InstanceID, j.SubnetID, j.SecurityGroups = e.InstanceID, e.SubnetID, e.GroupIDs
	}
	if e, _ := inv.Index().InterfaceByIP(ob.Remote); e != nil {
		j.RemoteInterfaceID, j.RemoteSecurityGroups = e.ID, e.GroupIDs
	}
	return j
}

// forwardedJSON is one row of forwarded traffic in the shape README.md
// documents for observe --format json.
type forwardedJSON struct {
	InterfaceID string `json:"interfaceId"`
	// Kind is the interface type from the inventory (natGateway,
	// transit_gateway, ...), when known.
	Kind       string `json:"interfaceType,omitempty"`
	Protocol   string `json:"protocol"`
	Port       uint16 `json:"port"`
	Initiator  string `json:"initiator"`
	Responder  string `json:"responder"`
	Action     string `json:"action"`
	Flows      uint64 `json:"flows"`
	Packets    uint64 `json:"packets"`
	Bytes      uint64 `json:"bytes"`
	FirstSeen  string `json:"firstSeen,omitempty"`
	LastSeen   string `json:"lastSeen,omitempty"`
	Confidence string `json:"confidence"`
}

func annotateForwarded(f *flowlog.Forwarded, inv *vpc.Inventory) forwardedJSON {
	act := "ACCEPT"
	if !f.Accepted {
		act = "REJECT"
	}
	j := forwardedJSON{InterfaceID: f.InterfaceID, Protocol: flowlog.ProtocolName(f.Protocol), Port: f.Port,
		Initiator: f.Initiator.String(), Responder: f.Responder.String(), Action: act,
		Flows: f.Flows, Packets: f.Packets, Bytes: f.Bytes, Confidence: f.Confidence.String()}
	if !f.FirstSeen.IsZero() {
		j.FirstSeen = string(appendRFC3339(nil, f.FirstSeen))
	}
	if !f.LastSeen.IsZero() {
		j.LastSeen = string(appendRFC3339(nil, f.LastSeen))
	}
	if inv != nil {
		if e := inv.Interfaces[f.InterfaceID]; e != nil {
			j.Kind = e.Type
		}
	}
	return j
}

// ObservationsJSON writes the result as observe --format json does (the
// shape README.md documents): the "walls" field holding walls, every
// observation annotated from inv (which may be nil), and the stats. Rows
// are formatted without reflection, a batch at a time on every core
// (writeRows), so output adds no memory proportional to the observations.
func ObservationsJSON(w *bufio.Writer, res *flowlog.Result, inv *vpc.Inventory, walls any) error {
	w.Write(AppendWallsField(nil, walls))
	w.WriteString(",\n  \"observations\": [")
	err := writeRows(w, len(res.Observations), func(b []byte, i int) []byte {
		j := annotate(&res.Observations[i], inv)
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, "\n    "...)
		return appendObservationJSON(b, &j)
	})
	if err != nil {
		return err
	}
	if len(res.Observations) > 0 {
		w.WriteString("\n  ")
	}
	w.WriteString("],\n  \"forwarded\": ")
	fw := make([]forwardedJSON, len(res.Forwarded))
	for i := range res.Forwarded {
		fw[i] = annotateForwarded(&res.Forwarded[i], inv)
	}
	b, err := json.MarshalIndent(fw, "  ", "  ")
	if err != nil {
		return err
	}
	w.Write(b)
	w.WriteString(",\n  \"stats\": ")
	b, err = json.MarshalIndent(res.Stats, "  ", "  ")
	if err != nil {
		return err
	}
	w.Write(b)
	_, err = w.WriteString("\n}\n")
	return err
}

// ObservationsCSV writes the result as observe --format csv does: one
// header, one row per observation, then one per row of forwarded traffic,
// every field, annotated from inv (which may be nil), streamed as
// ObservationsJSON does. The kind column tells the two apart
// ("connection", "forwarded"); each kind leaves the other's columns empty
// (a forwarded row has no direction, remote or local address; a
// connection row no initiator, responder or interface type), so every
// column holds one type for any CSV reader.
func ObservationsCSV(w *bufio.Writer, res *flowlog.Result, inv *vpc.Inventory) error {
	w.WriteString("interfaceId,direction,protocol,port,remote,local,action,flows,packets,bytes,firstSeen,lastSeen," +
		"confidence,instanceId,subnetId,securityGroups,remoteInterfaceId,remoteSecurityGroups,localUndetermined," +
		"kind,initiator,responder,interfaceType\n")
	err := writeRows(w, len(res.Observations), func(b []byte, i int) []byte {
		return appendObservationCSV(b, &res.Observations[i], inv)
	})
	if err != nil {
		return err
	}
	return writeRows(w, len(res.Forwarded), func(b []byte, i int) []byte {
		return appendForwardedCSV(b, &res.Forwarded[i], inv)
	})
}

// writeRows writes rows 0..n-1, each appended to a buffer by row, in order.
// Rows are formatted in parallel, a batch at a time, so output keeps pace
// with the merge on every core and holds one batch of text, not all of it.
func writeRows(w io.Writer, n int, row func(b []byte, i int) []byte) error {
	const batch = 4096
	parts := runtime.GOMAXPROCS(0)
	bufs := make([][]byte, parts)
	for from := 0; from < n; from += batch {
		to := min(from+batch, n)
		per := (to - from + parts - 1) / parts
		var g safe.Group
		for p := range parts {
			lo, hi := min(to, from+p*per), min(to, from+(p+1)*per)
			g.Go(func() {
				b := bufs[p][:0]
				for i := lo; i < hi; i++ {
					b = row(b, i)
				}
				bufs[p] = b
			})
		}
		g.Wait()
		for _, b := range bufs {
			if _, err := w.Write(b); err != nil {
				return err
			}
		}
	}
	return nil
}

// appendObservationCSV appends one CSV row.
func appendObservationCSV(b []byte, ob *flowlog.Observation, inv *vpc.Inventory) []byte {
	b = appendCSV(b, ob.InterfaceID)
	b = append(b, ',')
	b = append(b, ob.Direction.String()...)
	b = append(b, ',')
	b = appendCSV(b, flowlog.ProtocolName(ob.Protocol))
	b = append(b, ',')
	b = strconv.AppendUint(b, uint64(ob.Port), 10)
	b = append(b, ',')
	b = ob.Remote.AppendTo(b)
	b = append(b, ',')
	if ob.Local.IsValid() {
		b = ob.Local.AppendTo(b)
	}
	b = append(b, ',')
	if ob.Accepted {
		b = append(b, "ACCEPT,"...)
	} else {
		b = append(b, "REJECT,"...)
	}
	b = strconv.AppendUint(b, ob.Flows, 10)
	b = append(b, ',')
	b = strconv.AppendUint(b, ob.Packets, 10)
	b = append(b, ',')
	b = strconv.AppendUint(b, ob.Bytes, 10)
	b = append(b, ',')
	if !ob.FirstSeen.IsZero() {
		b = appendRFC3339(b, ob.FirstSeen)
	}
	b = append(b, ',')
	if !ob.LastSeen.IsZero() {
		b = appendRFC3339(b, ob.LastSeen)
	}
	b = append(b, ',')
	b = append(b, ob.Confidence.String()...)
	b = append(b, ',')
	if inv != nil {
		j := annotate(ob, inv)
		b = appendCSV(b, j.InstanceID)
		b = append(b, ',')
		b = appendCSV(b, j.SubnetID)
		b = append(b, ',')
		b = appendCSV(b, strings.Join(j.SecurityGroups, " "))
		b = append(b, ',')
		b = appendCSV(b, j.RemoteInterfaceID)
		b = append(b, ',')
		b = appendCSV(b, strings.Join(j.RemoteSecurityGroups, " "))
	} else {
		b = append(b, ",,,,"...)
	}
	b = append(b, ',')
	if ob.LocalUndetermined {
		b = append(b, "true"...)
	}
	return append(b, ",connection,,,\n"...)
}

// appendForwardedCSV appends one row of forwarded traffic in the columns
// ObservationsCSV names: the shared ones, kind "forwarded", the original
// endpoints and the forwarder's type from inv.
func appendForwardedCSV(b []byte, f *flowlog.Forwarded, inv *vpc.Inventory) []byte {
	j := annotateForwarded(f, inv)
	b = appendCSV(b, j.InterfaceID)
	b = append(b, ',', ',')
	b = appendCSV(b, j.Protocol)
	b = append(b, ',')
	b = strconv.AppendUint(b, uint64(j.Port), 10)
	b = append(b, ",,,"...)
	b = append(b, j.Action...)
	b = append(b, ',')
	b = strconv.AppendUint(b, j.Flows, 10)
	b = append(b, ',')
	b = strconv.AppendUint(b, j.Packets, 10)
	b = append(b, ',')
	b = strconv.AppendUint(b, j.Bytes, 10)
	b = append(b, ',')
	b = append(b, j.FirstSeen...)
	b = append(b, ',')
	b = append(b, j.LastSeen...)
	b = append(b, ',')
	b = append(b, j.Confidence...)
	b = append(b, ",,,,,,,forwarded,"...)
	b = append(b, j.Initiator...)
	b = append(b, ',')
	b = append(b, j.Responder...)
	b = append(b, ',')
	b = appendCSV(b, j.Kind)
	return append(b, '\n')
}

// appendRFC3339 appends t in UTC as time.RFC3339 does. Flow log times are
// whole seconds in years 0-9999, written here digit by digit; anything
// else goes through AppendFormat. (Two per output row: the general
// formatter was half the cost of a CSV row.)
func appendRFC3339(b []byte, t time.Time) []byte {
	t = t.UTC()
	y, mo, d := t.Date()
	if t.Nanosecond() != 0 || y < 0 || y > 9999 {
		return t.AppendFormat(b, time.RFC3339)
	}
	h, mi, s := t.Clock()
	two := func(b []byte, v int) []byte { return append(b, byte('0'+v/10), byte('0'+v%10)) }
	b = two(b, y/100)
	b = two(b, y%100)
	b = append(b, '-')
	b = two(b, int(mo))
	b = append(b, '-')
	b = two(b, d)
	b = append(b, 'T')
	b = two(b, h)
	b = append(b, ':')
	b = two(b, mi)
	b = append(b, ':')
	b = two(b, s)
	return append(b, 'Z')
}

// appendCSV writes one CSV field, quoted when it must be (RFC 4180, as
// encoding/csv does).
func appendCSV(b []byte, s string) []byte {
	if r, _ := utf8.DecodeRuneInString(s); s == "" || !strings.ContainsAny(s, ",\"\r\n") && !unicode.IsSpace(r) && s != `\.` {
		return append(b, s...)
	}
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}

// ObservationsTable writes the result as observe's table does, for people,
// fitted to width by leaving out the least needed columns (ColumnTable),
// which it returns. A LOCAL column appears when some observation's local
// side is undetermined, or when observations differ only in their local
// address (pods or secondary addresses of one interface); forwarded
// traffic follows in its own section.
func ObservationsTable(w io.Writer, res *flowlog.Result, inv *vpc.Inventory, width int) ([]string, error) {
	t := ColumnTable{Header: []string{"INTERFACE", "DIRECTION", "PROTO", "PORT", "REMOTE", "ACTION", "FLOWS",
		"PACKETS", "BYTES", "CONFIDENCE", "FIRST SEEN", "LAST SEEN"},
		// Least needed first: volumes, then times, then the inventory's
		// annotations; who talked to whom, how, and how sure, stay.
		DropOrder: []int{7, 8, 11, 10, 14, 12, 13}}
	if inv != nil {
		t.Header = append(t.Header, "INSTANCE", "GROUPS", "REMOTE INTERFACE")
	} else {
		t.DropOrder = t.DropOrder[:4] // 12 and up: the inventory's columns
	}
	undetermined, showLocal := false, false
	for i := range res.Observations {
		undetermined = undetermined || res.Observations[i].LocalUndetermined
		showLocal = showLocal || i > 0 && sameKeyButLocal(&res.Observations[i-1], &res.Observations[i])
	}
	showLocal = showLocal || undetermined
	if showLocal {
		t.Header = append(t.Header, "LOCAL")
	}
	for i := range res.Observations {
		j := annotate(&res.Observations[i], inv)
		row := []string{j.InterfaceID, j.Direction, protocolCell(j.Protocol), strconv.Itoa(int(j.Port)), j.Remote, j.Action,
			u64(j.Flows), u64(j.Packets), u64(j.Bytes), j.Confidence, dash(j.FirstSeen), dash(j.LastSeen)}
		if inv != nil {
			remote := j.RemoteInterfaceID
			if len(j.RemoteSecurityGroups) > 0 {
				remote += " (" + strings.Join(j.RemoteSecurityGroups, ",") + ")"
			}
			row = append(row, dash(j.InstanceID), dash(strings.Join(j.SecurityGroups, ",")), dash(remote))
		}
		if showLocal {
			local := dash(j.Local)
			if j.LocalUndetermined {
				local += "?"
			}
			row = append(row, local)
		}
		t.Rows = append(t.Rows, row)
	}
	dropped, err := t.Render(w, width)
	if err == nil && undetermined {
		_, err = io.WriteString(w, "LOCAL ending in ?: the interface's own side is undetermined; shown with either end as the interface\n")
	}
	if err != nil || len(res.Forwarded) == 0 {
		return dropped, err
	}
	ft := ColumnTable{Header: []string{"FORWARDED BY", "PROTO", "PORT", "INITIATOR", "RESPONDER", "ACTION", "FLOWS",
		"PACKETS", "BYTES", "CONFIDENCE", "FIRST SEEN", "LAST SEEN"},
		DropOrder: []int{7, 8, 11, 10}}
	for i := range res.Forwarded {
		j := annotateForwarded(&res.Forwarded[i], inv)
		by := j.InterfaceID
		if j.Kind != "" {
			by += " (" + j.Kind + ")"
		}
		ft.Rows = append(ft.Rows, []string{by, protocolCell(j.Protocol), strconv.Itoa(int(j.Port)), j.Initiator, j.Responder, j.Action,
			u64(j.Flows), u64(j.Packets), u64(j.Bytes), j.Confidence, dash(j.FirstSeen), dash(j.LastSeen)})
	}
	if _, err := io.WriteString(w, "\nForwarded traffic (NAT and transit gateways, GWLB endpoints: no security group of their own)\n"); err != nil {
		return dropped, err
	}
	more, err := ft.Render(w, width)
	for _, d := range more {
		if !slices.Contains(dropped, d) {
			dropped = append(dropped, d)
		}
	}
	return dropped, err
}

// sameKeyButLocal reports whether two observations are the same
// connection but for their local address, which the table must then show.
func sameKeyButLocal(a, b *flowlog.Observation) bool {
	return a.InterfaceID == b.InterfaceID && a.LocalUndetermined == b.LocalUndetermined && a.Accepted == b.Accepted &&
		a.Direction == b.Direction && a.Protocol == b.Protocol && a.Port == b.Port && a.Remote == b.Remote
}

// u64 and dash format table cells: a count, and a text that is "-" when empty.
func u64(v uint64) string { return strconv.FormatUint(v, 10) }

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
