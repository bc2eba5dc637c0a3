package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"runtime"

	"github.com/spf13/cobra"
)

func init() { register(newVersionCmd) }

func newVersionCmd(io *IOStreams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print walls' version, commit and Go version (as --version does)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := io.Out.Write([]byte(versionText()))
			return err
		},
	}
}

// versionText is what `walls version` and `walls --version` print.
func versionText() string {
	b := readBuild()
	s := "walls " + b.Version + "\n"
	if b.Commit != "" {
		s += "commit " + b.Commit
		if b.Modified {
			s += " (modified)"
		}
		s += "\n"
	}
	return s + fmt.Sprintf("built with %s for %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// writeJSON writes v, whose JSON form is an object, indented by two
// spaces and ending in a newline as json.Encoder writes it, with the
// "walls" field (buildInfo) first: every JSON output with a top-level
// object says which walls wrote it. escapeHTML is json.Encoder's option.
func writeJSON(w io.Writer, v any, escapeHTML bool) error {
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
		out = append(append(appendWallsField(nil), ",\n"...), body[2:]...)
	case bytes.Equal(body, []byte("{}\n")):
		out = append(appendWallsField(nil), "\n}\n"...)
	default:
		return fmt.Errorf("internal: writeJSON of %T: not an object", v)
	}
	_, err := w.Write(out)
	return err
}

// appendWallsField appends `{` and the indented "walls" field, without
// the comma or newline that follows it.
func appendWallsField(b []byte) []byte {
	field, err := json.MarshalIndent(readBuild(), "  ", "  ")
	if err != nil {
		panic(err) // a struct of strings and a bool always marshals
	}
	b = append(b, "{\n  \"walls\": "...)
	return append(b, field...)
}
