// Package athena runs walls' flow-log aggregation as one SQL query in
// Amazon Athena over a flow-log table, and feeds the grouped rows to the
// local merge (flowlog.MergeFacts): the query computes, per record, the
// fact the local workers compute (flowlog's classifyVals) and groups the
// records on the fact's key with the same sums, so the decisions that need
// the whole data set or the inventory stay in one place.
package athena

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/walls-dev/walls/internal/flowlog"
)

// Column is one column or partition key of the table, as
// athena:GetTableMetadata names it.
type Column struct {
	Name, Type string
}

// Table is what the query needs to know of the flow-log table.
type Table struct {
	Database, Name string
	Columns        []Column // data columns
	Partitions     []Column // partition keys
	// Parameters are the table's properties (partition projection's
	// projection.<key>.format among them).
	Parameters map[string]string
}

// Dialect is the SQL engine the query is written for. The query is the
// same text for both except for date literals (Trino: DATE 'yyyy-mm-dd';
// SQLite, which has no date type: the string).
type Dialect int

const (
	Trino  Dialect = iota // Athena engine version 3
	SQLite                // the embedded engine the tests prove the query on
)

// Query is one aggregation.
type Query struct {
	Since, Until time.Time // zero: unbounded
	ServicePorts []uint16  // extra H1 service ports (flowlog.Options.ServicePorts)
	Dialect      Dialect
}

// Result row kinds: the first column of every row the query returns.
const (
	kindFact = iota
	kindAddrSrc
	kindAddrDst
	kindMeta
	kindSkip
	kindCount
	numKinds
)

// ResultColumns are the names of the query's result columns, in order.
var ResultColumns = []string{"kind", "eni", "a1", "a2", "a3", "a4", "n1", "n2", "n3", "n4",
	"flows", "packets", "bytes", "first_seen", "last_seen", "eph_lo", "eph_hi"}

// columns the query reads, and whether each is a number (else a string).
var used = []struct {
	name     string
	number   bool
	required bool
}{
	{"interface_id", false, true}, {"srcaddr", false, true}, {"dstaddr", false, true},
	{"pkt_srcaddr", false, false}, {"pkt_dstaddr", false, false},
	{"srcport", true, true}, {"dstport", true, true}, {"protocol", true, true},
	{"packets", true, false}, {"bytes", true, false}, {"start", true, false}, {"end", true, false},
	{"action", false, true}, {"log_status", false, false}, {"tcp_flags", true, false},
	{"flow_direction", false, false}, {"instance_id", false, false}, {"subnet_id", false, false},
	{"vpc_id", false, false},
}

func isIntType(t string) bool {
	switch strings.ToLower(t) {
	case "tinyint", "smallint", "int", "integer", "bigint":
		return true
	}
	return false
}

func isStringType(t string) bool {
	t = strings.ToLower(t)
	return t == "string" || t == "varchar" || strings.HasPrefix(t, "varchar(") || strings.HasPrefix(t, "char(")
}

// quoteIdent quotes an identifier for both dialects.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func quoteString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// SQL writes the aggregation query over t; warnings say what could not be
// used to prune partitions (the query is still exact, only costlier).
func SQL(t *Table, q Query) (sql string, warnings []string, err error) {
	have := map[string]Column{}
	for _, c := range t.Columns {
		have[strings.ToLower(c.Name)] = c
	}
	expr := map[string]string{}
	var missing []string
	for _, u := range used {
		c, ok := have[u.name]
		switch {
		case !ok && u.required:
			missing = append(missing, u.name)
		case !ok && u.number:
			expr[u.name] = "CAST(NULL AS BIGINT)"
		case !ok:
			expr[u.name] = "CAST(NULL AS VARCHAR)"
		case u.number && !isIntType(c.Type):
			return "", nil, fmt.Errorf("table %s.%s: column %s is %s, expected an integer type (int or bigint, as in AWS's CREATE TABLE for flow logs)", t.Database, t.Name, u.name, c.Type)
		case !u.number && !isStringType(c.Type):
			return "", nil, fmt.Errorf("table %s.%s: column %s is %s, expected string", t.Database, t.Name, u.name, c.Type)
		case u.number:
			expr[u.name] = quoteIdent(c.Name)
		default:
			// Text flow logs write "-" for an absent value.
			expr[u.name] = "NULLIF(" + quoteIdent(c.Name) + ", '-')"
		}
	}
	if len(missing) > 0 {
		// flowlog.RequiredFields, as columns: without them no observation
		// means anything.
		return "", nil, fmt.Errorf("table %s.%s has no column %s: observations need interface_id, srcaddr, dstaddr, srcport, dstport, protocol and action"+
			" (AWS's CREATE TABLE for flow logs has them all)", t.Database, t.Name, strings.Join(missing, ", "))
	}
	_, hasInstance := have["instance_id"]
	where, warnings := partitionPredicate(t, q)

	svc := "%s < 1024"
	if ports := flowlog.ServicePorts(q.ServicePorts); len(ports) > 0 {
		list := make([]string, len(ports))
		for i, p := range ports {
			list[i] = strconv.Itoa(int(p))
		}
		svc = "(%s < 1024 OR %s IN (" + strings.Join(list, ", ") + "))"
	}
	isSvc := func(col string) string { return strings.ReplaceAll(svc, "%s", col) }

	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	// One row per fact (kind 0) as flowlog's workers compute it, with the
	// addresses (1, 2), ids (3), SKIPDATA windows (4) and counters (5) the
	// merge needs. No comment leads the text: Athena tells the statement's
	// type from its first word.
	w("WITH b AS (\n  SELECT\n")
	w("    %s AS w_eni,\n    %s AS w_src,\n    %s AS w_dst,\n", expr["interface_id"], expr["srcaddr"], expr["dstaddr"])
	w("    %s AS w_psrc,\n    %s AS w_pdst,\n", expr["pkt_srcaddr"], expr["pkt_dstaddr"])
	w("    %s AS w_sp,\n    %s AS w_dp,\n    COALESCE(%s, %d) AS w_proto,\n", expr["srcport"], expr["dstport"], expr["protocol"], flowlog.FactNoProtocol)
	w("    COALESCE(%s, 0) AS w_pk,\n    COALESCE(%s, 0) AS w_by,\n", expr["packets"], expr["bytes"])
	w("    COALESCE(%s, 0) AS w_t0,\n    COALESCE(%s, 0) AS w_t1,\n", expr["start"], expr["end"])
	w("    %s AS w_fl,\n    %s AS w_action,\n    COALESCE(%s, 'OK') AS w_status,\n    %s AS w_fdir,\n", expr["tcp_flags"], expr["action"], expr["log_status"], expr["flow_direction"])
	w("    %s AS w_inst,\n    %s AS w_subnet,\n    %s AS w_vpc\n", expr["instance_id"], expr["subnet_id"], expr["vpc_id"])
	w("  FROM %s.%s\n", quoteIdent(t.Database), quoteIdent(t.Name))
	if where != "" {
		w("  WHERE %s\n", where)
	}
	w("),\n")
	// c: each record's class (flowlog's validate, time window, log-status)
	// and what its ports and flags say.
	w("c AS (\n  SELECT b.*,\n    CASE\n")
	w("      WHEN w_status NOT IN ('OK', 'NODATA', 'SKIPDATA') THEN 'bad'\n")
	w("      WHEN w_fdir IS NOT NULL AND w_fdir NOT IN ('ingress', 'egress') THEN 'bad'\n")
	w("      WHEN w_action IS NOT NULL AND w_action NOT IN ('ACCEPT', 'REJECT') THEN 'bad'\n")
	w("      WHEN w_status = 'OK' AND (w_eni IS NULL OR w_src IS NULL OR w_dst IS NULL) THEN 'bad'\n")
	w("      WHEN w_status = 'OK' AND (CASE WHEN w_src LIKE '%%:%%' THEN 1 ELSE 0 END) <> (CASE WHEN w_dst LIKE '%%:%%' THEN 1 ELSE 0 END) THEN 'bad'\n")
	w("      WHEN w_status = 'OK' AND w_action IS NULL THEN 'bad'\n")
	w("      WHEN w_status = 'OK' AND w_t1 < w_t0 AND w_t1 <> 0 THEN 'bad'\n")
	if !q.Since.IsZero() {
		w("      WHEN w_t1 <> 0 AND w_t1 < %d THEN 'out'\n", q.Since.Unix())
	}
	if !q.Until.IsZero() {
		w("      WHEN w_t0 <> 0 AND w_t0 >= %d THEN 'out'\n", q.Until.Unix())
	}
	w("      WHEN w_status = 'NODATA' THEN 'nodata'\n      WHEN w_status = 'SKIPDATA' THEN 'skip'\n      ELSE 'ok'\n    END AS w_cls,\n")
	w("    CASE WHEN w_action = 'REJECT' THEN 0 ELSE 1 END AS w_acc,\n")
	w("    CASE w_fdir WHEN 'ingress' THEN 1 WHEN 'egress' THEN 2 ELSE 0 END AS w_fd,\n")
	w("    CASE WHEN w_proto IN (6, 17, 132) AND w_sp IS NOT NULL AND w_dp IS NOT NULL THEN 1 ELSE 0 END AS w_hp,\n")
	w("    -- tcp-flags: SYN-ACK (bit 16) the receiver initiated (2), a SYN (bit 2) the sender (1)\n")
	w("    CASE WHEN w_proto = 6 AND w_fl IS NOT NULL AND (w_fl / 16) %% 2 = 1 THEN 2\n")
	w("         WHEN w_proto = 6 AND w_fl IS NOT NULL AND (w_fl / 2) %% 2 = 1 THEN 1 ELSE 0 END AS w_ex,\n")
	w("    -- H1: a service port against one that is not\n")
	w("    CASE WHEN %s AND NOT %s THEN 1\n", isSvc("w_dp"), isSvc("w_sp"))
	w("         WHEN %s AND NOT %s THEN 2 ELSE 0 END AS w_h1\n", isSvc("w_sp"), isSvc("w_dp"))
	w("  FROM b\n),\n")
	// d: evidence, whether the receiver initiated (swap), whether both ports stay.
	w("d AS (\n  SELECT c.*,\n")
	w("    CASE WHEN w_hp = 0 THEN 0 WHEN w_ex > 0 THEN %d WHEN w_h1 > 0 THEN %d ELSE 0 END AS w_ev,\n", flowlog.FactExact, flowlog.FactHeuristic)
	w("    CASE WHEN w_hp = 0 THEN 0 WHEN w_ex > 0 THEN w_ex - 1 WHEN w_h1 > 0 THEN w_h1 - 1 ELSE 0 END AS w_rv,\n")
	w("    CASE WHEN w_hp = 0 OR w_h1 = 0 THEN 1 ELSE 0 END AS w_fu\n")
	w("  FROM c\n),\n")
	// e: the fact's slots after the swap, its ports and info bits.
	w("e AS (\n  SELECT d.*,\n")
	w("    CASE WHEN w_rv = 1 THEN w_dst ELSE w_src END AS f_src,\n")
	w("    CASE WHEN w_rv = 1 THEN w_src ELSE w_dst END AS f_dst,\n")
	w("    CASE WHEN w_rv = 1 THEN (CASE WHEN w_pdst = w_dst THEN NULL ELSE w_pdst END) ELSE (CASE WHEN w_psrc = w_src THEN NULL ELSE w_psrc END) END AS f_psrc,\n")
	w("    CASE WHEN w_rv = 1 THEN (CASE WHEN w_psrc = w_src THEN NULL ELSE w_psrc END) ELSE (CASE WHEN w_pdst = w_dst THEN NULL ELSE w_pdst END) END AS f_pdst,\n")
	w("    CASE WHEN w_hp = 0 OR w_fu = 0 THEN 0 WHEN w_rv = 1 THEN w_dp ELSE w_sp END AS f_sp,\n")
	w("    CASE WHEN w_hp = 0 THEN 0 WHEN w_rv = 1 THEN w_sp ELSE w_dp END AS f_dp,\n")
	w("    CASE WHEN w_fu = 0 AND w_ev = %d THEN (CASE WHEN w_rv = 1 THEN w_dp ELSE w_sp END) ELSE 0 END AS f_drop,\n", flowlog.FactHeuristic)
	w("    w_acc * %d + w_fu * %d + w_ev * %d + (CASE WHEN w_rv = 1 AND w_fd > 0 THEN 3 - w_fd ELSE w_fd END) * %d AS f_info\n",
		flowlog.FactAccepted, flowlog.FactFullPorts, 1<<flowlog.FactEvidenceShift, 1<<flowlog.FactFlowShift)
	w("  FROM d\n),\n")
	// g: every record once per kind it counts in (one scan of the table).
	w("g AS (\n  SELECT k.k AS kind,\n")
	w("    CASE WHEN k.k = %d THEN NULL ELSE w_eni END AS eni,\n", kindCount)
	w("    CASE k.k WHEN %d THEN f_src WHEN %d THEN w_src WHEN %d THEN w_dst WHEN %d THEN w_inst WHEN %d THEN w_cls END AS a1,\n", kindFact, kindAddrSrc, kindAddrDst, kindMeta, kindCount)
	w("    CASE k.k WHEN %d THEN f_dst WHEN %d THEN w_subnet END AS a2,\n", kindFact, kindMeta)
	w("    CASE k.k WHEN %d THEN f_psrc WHEN %d THEN w_vpc END AS a3,\n", kindFact, kindMeta)
	w("    CASE k.k WHEN %d THEN f_pdst END AS a4,\n", kindFact)
	// n1 of a metadata row: 1 when the table has instance_id, so that a
	// NULL a1 there means "-": no instance (flowlog.MetaRow.InstanceField).
	w("    CASE k.k WHEN %d THEN f_sp WHEN %d THEN (CASE WHEN w_cls = 'ok' THEN 1 - w_acc ELSE 0 END) WHEN %d THEN %d END AS n1,\n", kindFact, kindCount, kindMeta, b2i(hasInstance))
	w("    CASE k.k WHEN %d THEN f_dp END AS n2,\n", kindFact)
	w("    CASE k.k WHEN %d THEN w_proto END AS n3,\n", kindFact)
	w("    CASE k.k WHEN %d THEN f_info END AS n4,\n", kindFact)
	w("    w_pk, w_by,\n")
	w("    CASE WHEN k.k = %d THEN NULLIF(w_t0, 0) ELSE w_t0 END AS t0,\n", kindFact)
	w("    CASE WHEN k.k = %d AND w_t1 < w_t0 THEN w_t0 ELSE w_t1 END AS t1,\n", kindSkip)
	w("    CASE WHEN k.k = %d THEN f_drop ELSE 0 END AS f_drop\n", kindFact)
	w("  FROM e CROSS JOIN (")
	for k := 0; k < numKinds; k++ {
		if k > 0 {
			w(" UNION ALL ")
		}
		w("SELECT %d AS k", k)
	}
	w(") k\n")
	w("  WHERE (k.k IN (%d, %d) AND w_cls = 'ok')\n", kindFact, kindAddrSrc)
	w("     OR (k.k = %d AND w_cls = 'ok' AND w_dst <> w_src)\n", kindAddrDst)
	if hasInstance {
		// Every OK record: whether any names an instance decides, without
		// an inventory, whether an interface forwards others' packets.
		w("     OR (k.k = %d AND w_cls = 'ok')\n", kindMeta)
	} else {
		w("     OR (k.k = %d AND w_cls = 'ok' AND (w_subnet IS NOT NULL OR w_vpc IS NOT NULL))\n", kindMeta)
	}
	w("     OR (k.k = %d AND w_cls = 'skip' AND w_eni IS NOT NULL)\n", kindSkip)
	w("     OR k.k = %d\n)\n", kindCount)
	w("SELECT kind, eni, a1, a2, a3, a4, n1, n2, n3, n4,\n")
	w("  COUNT(*) AS flows, SUM(w_pk) AS packets, SUM(w_by) AS bytes, MIN(t0) AS first_seen, MAX(t1) AS last_seen,\n")
	w("  MIN(NULLIF(f_drop, 0)) AS eph_lo, MAX(f_drop) AS eph_hi\n")
	w("FROM g\nGROUP BY kind, eni, a1, a2, a3, a4, n1, n2, n3, n4\n")
	return b.String(), warnings, nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// partitionPredicate bounds the table's date partitions by the window
// (docs/semantics.md#flowlog-athena),
// one day wider on each side: a record lands in the partition of the day
// its log file was delivered, which is on or after the day it ended and
// may be the day after it started. The record-level window is exact; this
// only lets Athena skip partitions.
func partitionPredicate(t *Table, q Query) (string, []string) {
	if q.Since.IsZero() && q.Until.IsZero() || len(t.Partitions) == 0 {
		return "", nil
	}
	var lo, hi time.Time
	if !q.Since.IsZero() {
		lo = q.Since.UTC().AddDate(0, 0, -1)
	}
	if !q.Until.IsZero() {
		hi = q.Until.UTC().AddDate(0, 0, 1)
	}
	parts := map[string]Column{}
	for _, p := range t.Partitions {
		parts[strings.ToLower(p.Name)] = p
	}
	var preds, warnings []string
	bound := func(col, op, lit string) { preds = append(preds, quoteIdent(col)+" "+op+" "+lit) }
	// A single date partition: date, dt or day.
	for _, name := range []string{"date", "dt", "day"} {
		p, ok := parts[name]
		if !ok || name == "day" && parts["year"].Name != "" {
			continue // Hive year/month/day, below
		}
		var lit func(time.Time) string
		switch typ := strings.ToLower(p.Type); {
		case typ == "date":
			lit = func(d time.Time) string {
				if q.Dialect == SQLite {
					return quoteString(d.Format("2006-01-02"))
				}
				return "DATE " + quoteString(d.Format("2006-01-02"))
			}
		case isStringType(typ):
			layout, ok := goLayout(t.Parameters["projection."+p.Name+".format"])
			if !ok {
				warnings = append(warnings, fmt.Sprintf("partition %s: no usable projection.%s.format (yyyy, MM, dd in that order), so partitions are not pruned by the time window", p.Name, p.Name))
				return "", warnings
			}
			lit = func(d time.Time) string { return quoteString(d.Format(layout)) }
		default:
			warnings = append(warnings, fmt.Sprintf("partition %s is %s, expected date or string: not pruned", p.Name, p.Type))
			return "", warnings
		}
		if !lo.IsZero() {
			bound(p.Name, ">=", lit(lo))
		}
		if !hi.IsZero() {
			bound(p.Name, "<=", lit(hi))
		}
		return strings.Join(preds, " AND "), warnings
	}
	// Hive-style year/month/day.
	y, okY := parts["year"]
	m, okM := parts["month"]
	d, okD := parts["day"]
	if !okY || !okM || !okD {
		names := make([]string, 0, len(parts))
		for _, p := range t.Partitions {
			names = append(names, p.Name)
		}
		sort.Strings(names)
		warnings = append(warnings, fmt.Sprintf("partitions %s: none is a date (date, dt, day, or year/month/day), so the time window does not prune them", strings.Join(names, ", ")))
		return "", warnings
	}
	cols := []Column{y, m, d}
	for _, c := range cols {
		if !isIntType(c.Type) && !isStringType(c.Type) {
			return "", append(warnings, fmt.Sprintf("partition %s is %s, expected a number or string: not pruned", c.Name, c.Type))
		}
	}
	val := func(c Column, v, width int) string {
		if isIntType(c.Type) {
			return strconv.Itoa(v)
		}
		return quoteString(fmt.Sprintf("%0*d", width, v))
	}
	tuple := func(day time.Time, op string) string {
		yv, mv, dv := val(y, day.Year(), 4), val(m, int(day.Month()), 2), val(d, day.Day(), 2)
		Y, M, D := quoteIdent(y.Name), quoteIdent(m.Name), quoteIdent(d.Name)
		// (Y, M, D) op (yv, mv, dv), spelled out for both dialects.
		return fmt.Sprintf("(%s %s %s OR (%s = %s AND (%s %s %s OR (%s = %s AND %s %s= %s))))",
			Y, op, yv, Y, yv, M, op, mv, M, mv, D, op, dv)
	}
	if !lo.IsZero() {
		preds = append(preds, tuple(lo, ">"))
	}
	if !hi.IsZero() {
		preds = append(preds, tuple(hi, "<"))
	}
	return strings.Join(preds, " AND "), warnings
}

// goLayout turns a partition projection date format (Java's
// DateTimeFormatter letters) into a Go layout, when it is yyyy, MM and dd,
// optionally HH, in that order, separated by punctuation only: then its
// strings sort as the dates do.
func goLayout(java string) (string, bool) {
	tokens := []struct{ java, goFmt string }{{"yyyy", "2006"}, {"MM", "01"}, {"dd", "02"}, {"HH", "15"}}
	var out strings.Builder
	next := 0
	for rest := java; rest != ""; {
		if next < len(tokens) && strings.HasPrefix(rest, tokens[next].java) {
			out.WriteString(tokens[next].goFmt)
			rest = rest[len(tokens[next].java):]
			next++
			continue
		}
		c := rest[0]
		if !strings.ContainsRune("/-_.:", rune(c)) {
			return "", false
		}
		out.WriteByte(c)
		rest = rest[1:]
	}
	if next < 3 {
		return "", false
	}
	return out.String(), true
}

// DocumentedTable is the table README.md tells how to create: AWS's
// flow-log columns (version 5 fields), partitioned by a day string with
// projection in yyyy/MM/dd form.
func DocumentedTable(database, name string) *Table {
	t := &Table{Database: database, Name: name,
		Partitions: []Column{{"day", "string"}},
		Parameters: map[string]string{"projection.enabled": "true", "projection.day.type": "date", "projection.day.format": "yyyy/MM/dd"}}
	for _, c := range DocumentedColumns {
		t.Columns = append(t.Columns, c)
	}
	return t
}

// DocumentedColumns are the columns of AWS's CREATE TABLE for flow logs.
var DocumentedColumns = []Column{
	{"version", "int"}, {"account_id", "string"}, {"interface_id", "string"}, {"srcaddr", "string"},
	{"dstaddr", "string"}, {"srcport", "int"}, {"dstport", "int"}, {"protocol", "bigint"},
	{"packets", "bigint"}, {"bytes", "bigint"}, {"start", "bigint"}, {"end", "bigint"},
	{"action", "string"}, {"log_status", "string"}, {"vpc_id", "string"}, {"subnet_id", "string"},
	{"instance_id", "string"}, {"tcp_flags", "int"}, {"type", "string"}, {"pkt_srcaddr", "string"},
	{"pkt_dstaddr", "string"}, {"region", "string"}, {"az_id", "string"}, {"sublocation_type", "string"},
	{"sublocation_id", "string"}, {"pkt_src_aws_service", "string"}, {"pkt_dst_aws_service", "string"},
	{"flow_direction", "string"}, {"traffic_path", "int"},
}
