package cli

import (
	"fmt"
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
