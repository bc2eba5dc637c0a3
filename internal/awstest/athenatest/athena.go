// Package athenatest is an in-process Amazon Athena for tests, apart from
// internal/awstest so that only the tests that need its SQL engine
// (modernc.org/sqlite) link it.
package athenatest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	_ "modernc.org/sqlite" // the engine the Athena test server runs the received SQL on
)

// Athena is an in-process Amazon Athena speaking the JSON 1.1 protocol
// (X-Amz-Target AmazonAthena.*): StartQueryExecution, GetQueryExecution,
// GetQueryResults, StopQueryExecution and GetTableMetadata. It really runs
// the SQL it receives, on SQLite (modernc.org/sqlite) over the tables a
// test loads, so a test goes through the SDK, the wire protocol and the
// query. Each GetQueryExecution moves a query one state on: QUEUED,
// RUNNING, then SUCCEEDED (or FAILED with the engine's error).
type Athena struct {
	Server *httptest.Server
	DB     *sql.DB

	mu      sync.Mutex
	tables  map[string]*AthenaTable
	queries map[string]*athenaQuery
	tokens  map[string]string // ClientRequestToken -> query id
	// Hold keeps queries RUNNING until stopped; FailWith makes every query
	// fail with this reason; ScannedBytes is reported as DataScannedInBytes.
	Hold         bool
	FailWith     string
	ScannedBytes int64
	// PageSize, when set, caps GetQueryResults pages below MaxResults.
	PageSize int
	// Calls counts requests by operation.
	Calls map[string]int
	// Started holds the SQL of every query started, in order.
	Started []string
	// Stopped holds the ids of queries StopQueryExecution stopped.
	Stopped []string
	// Tokens holds the ClientRequestToken of every StartQueryExecution.
	Tokens []string
}

// AthenaColumn is a column or partition key as GetTableMetadata gives it.
type AthenaColumn struct {
	Name string `json:"Name"`
	Type string `json:"Type"`
}

// AthenaTable is a table of the Glue catalog the server serves.
type AthenaTable struct {
	Database, Name string
	Columns        []AthenaColumn
	PartitionKeys  []AthenaColumn
	Parameters     map[string]string
}

type athenaQuery struct {
	id, sql, workgroup, output string
	state, reason              string
	polls                      int
	header                     []string
	rows                       [][]*string
}

// NewAthena starts the server; it stops when the test ends.
func NewAthena(t testing.TB) *Athena {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	// One connection: ATTACHed databases (Athena's databases) are per
	// connection, and :memory: is too.
	db.SetMaxOpenConns(1)
	a := &Athena{DB: db, tables: map[string]*AthenaTable{}, queries: map[string]*athenaQuery{},
		tokens: map[string]string{}, Calls: map[string]int{}}
	a.Server = httptest.NewServer(http.HandlerFunc(a.serve))
	t.Cleanup(func() {
		a.Server.Close()
		db.Close()
	})
	return a
}

// URL is the endpoint to set as the SDK's BaseEndpoint.
func (a *Athena) URL() string { return a.Server.URL }

// CreateTable makes the table (an ATTACHed SQLite database per Athena
// database, so "db"."table" resolves as in Athena) with its columns and
// partition keys, SQLite types from the Hive ones.
func (a *Athena) CreateTable(tb *AthenaTable) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	key := tb.Database + "." + tb.Name
	attached := false
	for k := range a.tables {
		if strings.HasPrefix(k, tb.Database+".") {
			attached = true
		}
	}
	ctx := context.Background()
	if !attached {
		if _, err := a.DB.ExecContext(ctx, "ATTACH DATABASE ':memory:' AS "+ident(tb.Database)); err != nil {
			return err
		}
	}
	var cols []string
	for _, c := range append(append([]AthenaColumn(nil), tb.Columns...), tb.PartitionKeys...) {
		typ := "TEXT"
		switch strings.ToLower(c.Type) {
		case "int", "integer", "bigint", "smallint", "tinyint":
			typ = "INTEGER"
		}
		cols = append(cols, ident(c.Name)+" "+typ)
	}
	if _, err := a.DB.ExecContext(ctx, fmt.Sprintf("CREATE TABLE %s.%s (%s)", ident(tb.Database), ident(tb.Name), strings.Join(cols, ", "))); err != nil {
		return err
	}
	a.tables[key] = tb
	return nil
}

// Insert adds rows to a table, values in the order of its columns then
// partition keys (nil is NULL).
func (a *Athena) Insert(database, table string, rows [][]any) error {
	a.mu.Lock()
	tb := a.tables[database+"."+table]
	a.mu.Unlock()
	if tb == nil {
		return fmt.Errorf("no table %s.%s", database, table)
	}
	n := len(tb.Columns) + len(tb.PartitionKeys)
	marks := strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
	tx, err := a.DB.Begin()
	if err != nil {
		return err
	}
	stmt, err := tx.Prepare(fmt.Sprintf("INSERT INTO %s.%s VALUES (%s)", ident(database), ident(table), marks))
	if err != nil {
		tx.Rollback()
		return err
	}
	for _, r := range rows {
		if len(r) != n {
			tx.Rollback()
			return fmt.Errorf("row of %d values, table has %d columns", len(r), n)
		}
		if _, err := stmt.Exec(r...); err != nil {
			tx.Rollback()
			return err
		}
	}
	return tx.Commit()
}

func ident(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

type athenaError struct {
	status int
	typ    string
	msg    string
}

func (a *Athena) serve(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	op, ok := strings.CutPrefix(target, "AmazonAthena.")
	body, _ := io.ReadAll(r.Body)
	if !ok || r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-amz-json-1.1") {
		writeAthenaError(w, &athenaError{400, "InvalidRequestException", "not an Athena JSON 1.1 request: " + target})
		return
	}
	if !strings.Contains(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256") {
		writeAthenaError(w, &athenaError{400, "UnrecognizedClientException", "request not signed"})
		return
	}
	a.mu.Lock()
	a.Calls[op]++
	a.mu.Unlock()
	var out any
	var aerr *athenaError
	switch op {
	case "StartQueryExecution":
		out, aerr = a.start(body)
	case "GetQueryExecution":
		out, aerr = a.get(body)
	case "GetQueryResults":
		out, aerr = a.results(body)
	case "StopQueryExecution":
		out, aerr = a.stop(body)
	case "GetTableMetadata":
		out, aerr = a.tableMetadata(body)
	default:
		aerr = &athenaError{400, "InvalidRequestException", "operation " + op + " not served by the test server"}
	}
	if aerr != nil {
		writeAthenaError(w, aerr)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	json.NewEncoder(w).Encode(out)
}

func writeAthenaError(w http.ResponseWriter, e *athenaError) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(e.status)
	json.NewEncoder(w).Encode(map[string]string{"__type": e.typ, "Message": e.msg})
}

func badRequest(format string, args ...any) *athenaError {
	return &athenaError{400, "InvalidRequestException", fmt.Sprintf(format, args...)}
}

func (a *Athena) start(body []byte) (any, *athenaError) {
	var in struct {
		QueryString           string
		ClientRequestToken    string
		WorkGroup             string
		QueryExecutionContext struct{ Database, Catalog string }
		ResultConfiguration   struct{ OutputLocation string }
	}
	if err := json.Unmarshal(body, &in); err != nil || in.QueryString == "" {
		return nil, badRequest("QueryString is required")
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.Tokens = append(a.Tokens, in.ClientRequestToken)
	if id, ok := a.tokens[in.ClientRequestToken]; ok && in.ClientRequestToken != "" {
		if a.queries[id].sql != in.QueryString {
			return nil, badRequest("ClientRequestToken reused for a different query")
		}
		return map[string]string{"QueryExecutionId": id}, nil
	}
	var b [16]byte
	rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	a.queries[id] = &athenaQuery{id: id, sql: in.QueryString, workgroup: in.WorkGroup, output: in.ResultConfiguration.OutputLocation, state: "QUEUED"}
	if in.ClientRequestToken != "" {
		a.tokens[in.ClientRequestToken] = id
	}
	a.Started = append(a.Started, in.QueryString)
	return map[string]string{"QueryExecutionId": id}, nil
}

func (a *Athena) query(body []byte) (*athenaQuery, *athenaError) {
	var in struct{ QueryExecutionId string }
	json.Unmarshal(body, &in)
	q := a.queries[in.QueryExecutionId]
	if q == nil {
		return nil, badRequest("QueryExecution %s was not found", in.QueryExecutionId)
	}
	return q, nil
}

func (a *Athena) get(body []byte) (any, *athenaError) {
	a.mu.Lock()
	defer a.mu.Unlock()
	q, aerr := a.query(body)
	if aerr != nil {
		return nil, aerr
	}
	q.polls++
	switch q.state {
	case "QUEUED":
		q.state = "RUNNING"
	case "RUNNING":
		if !a.Hold {
			a.execute(q)
		}
	}
	status := map[string]any{"State": q.state, "SubmissionDateTime": 1.7e9}
	if q.reason != "" {
		status["StateChangeReason"] = q.reason
	}
	return map[string]any{"QueryExecution": map[string]any{
		"QueryExecutionId":      q.id,
		"Query":                 q.sql,
		"StatementType":         "DML",
		"WorkGroup":             q.workgroup,
		"ResultConfiguration":   map[string]string{"OutputLocation": q.output},
		"Status":                status,
		"Statistics":            map[string]any{"DataScannedInBytes": a.ScannedBytes, "EngineExecutionTimeInMillis": 10 * q.polls},
		"QueryExecutionContext": map[string]string{},
	}}, nil
}

// execute runs the query's SQL; a.mu is held.
func (a *Athena) execute(q *athenaQuery) {
	if a.FailWith != "" {
		q.state, q.reason = "FAILED", a.FailWith
		return
	}
	rows, err := a.DB.Query(q.sql)
	if err != nil {
		q.state, q.reason = "FAILED", "SYNTAX_ERROR: "+err.Error()
		return
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	q.header = cols
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			q.state, q.reason = "FAILED", err.Error()
			return
		}
		row := make([]*string, len(cols))
		for i, v := range vals {
			switch v := v.(type) {
			case nil:
			case []byte:
				s := string(v)
				row[i] = &s
			case string:
				row[i] = &v
			case int64:
				s := strconv.FormatInt(v, 10)
				row[i] = &s
			case float64:
				s := strconv.FormatFloat(v, 'f', -1, 64)
				row[i] = &s
			default:
				s := fmt.Sprint(v)
				row[i] = &s
			}
		}
		q.rows = append(q.rows, row)
	}
	if err := rows.Err(); err != nil {
		q.state, q.reason = "FAILED", err.Error()
		return
	}
	q.state = "SUCCEEDED"
}

func (a *Athena) results(body []byte) (any, *athenaError) {
	var in struct {
		QueryExecutionId string
		NextToken        string
		MaxResults       int
	}
	json.Unmarshal(body, &in)
	a.mu.Lock()
	defer a.mu.Unlock()
	q, aerr := a.query(body)
	if aerr != nil {
		return nil, aerr
	}
	if q.state != "SUCCEEDED" {
		return nil, badRequest("Query has not yet finished. Current state: %s", q.state)
	}
	max := in.MaxResults
	if max <= 0 || max > 1000 {
		max = 1000
	}
	if a.PageSize > 0 {
		max = min(max, a.PageSize)
	}
	// Row 0 is the header; the token is the index of the next row.
	all := len(q.rows) + 1
	from := 0
	if in.NextToken != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(in.NextToken, q.id+":"))
		if err != nil || !strings.HasPrefix(in.NextToken, q.id+":") || n <= 0 || n > all {
			return nil, badRequest("invalid NextToken")
		}
		from = n
	}
	to := min(all, from+max)
	var out []map[string]any
	for i := from; i < to; i++ {
		var data []map[string]string
		if i == 0 {
			for _, h := range q.header {
				data = append(data, map[string]string{"VarCharValue": h})
			}
		} else {
			for _, v := range q.rows[i-1] {
				if v == nil {
					data = append(data, map[string]string{})
				} else {
					data = append(data, map[string]string{"VarCharValue": *v})
				}
			}
		}
		out = append(out, map[string]any{"Data": data})
	}
	var info []map[string]any
	for _, h := range q.header {
		info = append(info, map[string]any{"Name": h, "Label": h, "Type": "varchar"})
	}
	res := map[string]any{"UpdateCount": 0, "ResultSet": map[string]any{"Rows": out, "ResultSetMetadata": map[string]any{"ColumnInfo": info}}}
	if to < all {
		res["NextToken"] = q.id + ":" + strconv.Itoa(to)
	}
	return res, nil
}

func (a *Athena) stop(body []byte) (any, *athenaError) {
	a.mu.Lock()
	defer a.mu.Unlock()
	q, aerr := a.query(body)
	if aerr != nil {
		return nil, aerr
	}
	if q.state == "QUEUED" || q.state == "RUNNING" {
		q.state, q.reason = "CANCELLED", "Query cancelled by user"
	}
	a.Stopped = append(a.Stopped, q.id)
	return map[string]any{}, nil
}

func (a *Athena) tableMetadata(body []byte) (any, *athenaError) {
	var in struct{ CatalogName, DatabaseName, TableName string }
	json.Unmarshal(body, &in)
	a.mu.Lock()
	defer a.mu.Unlock()
	tb := a.tables[in.DatabaseName+"."+in.TableName]
	if tb == nil {
		return nil, &athenaError{400, "MetadataException", fmt.Sprintf("Table %s not found in database %s", in.TableName, in.DatabaseName)}
	}
	return map[string]any{"TableMetadata": map[string]any{
		"Name": tb.Name, "TableType": "EXTERNAL_TABLE", "Columns": tb.Columns,
		"PartitionKeys": tb.PartitionKeys, "Parameters": tb.Parameters,
	}}, nil
}

// Count is how many op requests the server answered.
func (a *Athena) Count(op string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.Calls[op]
}

// StoppedQueries are the ids StopQueryExecution was called for.
func (a *Athena) StoppedQueries() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.Stopped...)
}

// CancelRunning cancels every queued or running query, as a user stopping
// it in the console would.
func (a *Athena) CancelRunning(reason string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, q := range a.queries {
		if q.state == "QUEUED" || q.state == "RUNNING" {
			q.state, q.reason = "CANCELLED", reason
		}
	}
}
