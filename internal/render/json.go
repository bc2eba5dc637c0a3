package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// WriteJSON writes v, whose JSON form is an object, indented by two
// spaces and ending in a newline as json.Encoder writes it, with a
// "walls" field first holding walls (what wrote the output: the
// version, commit and whether the tree was modified): every JSON output
// with a top-level object says which walls wrote it. escapeHTML is
// json.Encoder's option.
func WriteJSON(w io.Writer, v any, escapeHTML bool, walls any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(escapeHTML)
	if err := enc.Encode(v); err != nil {
		return err
	}
	body := buf.Bytes()
	var out []byte
	switch {
	case bytes.HasPrefix(body, []byte("{\n")):
		out = append(append(AppendWallsField(nil, walls), ",\n"...), body[2:]...)
	case bytes.Equal(body, []byte("{}\n")):
		out = append(AppendWallsField(nil, walls), "\n}\n"...)
	default:
		return fmt.Errorf("internal: WriteJSON of %T: not an object", v)
	}
	_, err := w.Write(out)
	return err
}

// AppendWallsField appends `{` and the indented "walls" field holding
// walls, without the comma or newline that follows it: the start of
// every JSON output, for writers that stream the rest.
func AppendWallsField(b []byte, walls any) []byte {
	field, err := json.MarshalIndent(walls, "  ", "  ")
	if err != nil {
		panic(err) // the build information is strings and a bool: it always marshals
	}
	b = append(b, "{\n  \"walls\": "...)
	return append(b, field...)
}
