package cli

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/walls-dev/walls/internal/safe"
)

// Version is walls' version. Release builds set it with -ldflags
// "-X github.com/walls-dev/walls/internal/cli.Version=v1.2.3"; otherwise
// it comes from the build information (the module version, which go build
// derives from the VCS tag, or "(devel)").
var Version = ""

// buildInfo is what walls says about itself: --version, the "walls" field
// of JSON outputs, plan files' generatedBy and crash reports.
type buildInfo struct {
	Version string `json:"version"`
	// Commit is the VCS revision the binary was built from; Modified says
	// the work tree had uncommitted changes.
	Commit   string `json:"commit,omitempty"`
	Modified bool   `json:"modified,omitempty"`
}

// readBuild returns the binary's buildInfo. Tests replace it so that
// golden files do not depend on the build.
var readBuild = binaryBuild

// binaryBuild reads Version and the binary's build information.
func binaryBuild() buildInfo {
	b := buildInfo{Version: Version}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		if b.Version == "" {
			b.Version = "unknown"
		}
		return b
	}
	if b.Version == "" {
		b.Version = bi.Main.Version
	}
	if b.Version == "" {
		b.Version = "(devel)"
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Commit = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	return b
}

// version is buildInfo on one line: "v1.2.3 0123abcd… (modified)".
func version() string {
	b := readBuild()
	v := b.Version
	if b.Commit != "" {
		v += " " + b.Commit
	}
	if b.Modified {
		v += " (modified)"
	}
	return v
}

// crashed reports a panic: one line on stderr naming the report file, which
// holds the panic value, the stack, the version and the command line. It
// returns ExitCrash. If the report cannot be written, the stack goes to
// stderr instead, so it is never lost.
func crashed(stderr io.Writer, r any, stack []byte, args []string) int {
	if gp, ok := r.(*safe.Panic); ok {
		r, stack = gp.Value, append(append(gp.Stack, "\nraised again in:\n"...), stack...)
	}
	report := crashReport(r, stack, args)
	path, err := writeCrashReport(report)
	if err != nil {
		fmt.Fprintf(stderr, "walls: internal error (a bug in walls, not a problem with the input): %s; the report could not be saved (%v):\n%s",
			oneLine(r), err, report)
		return ExitCrash
	}
	fmt.Fprintf(stderr, "walls: internal error (a bug in walls, not a problem with the input): %s; report written to %s\n", oneLine(r), path)
	return ExitCrash
}

// crashReport is the report file's text.
func crashReport(r any, stack []byte, args []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "walls internal error report\n\n")
	fmt.Fprintf(&b, "time:    %s\n", time.Now().UTC().Format(time.RFC3339))
	fmt.Fprintf(&b, "version: %s\n", version())
	fmt.Fprintf(&b, "go:      %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = strconv.Quote(a)
	}
	fmt.Fprintf(&b, "command: walls %s\n", strings.Join(quoted, " "))
	fmt.Fprintf(&b, "panic:   %v\n\n%s", r, stack)
	return b.String()
}

// writeCrashReport saves the report in os.TempDir under a fresh name.
func writeCrashReport(report string) (string, error) {
	f, err := os.CreateTemp("", "walls-crash-*.txt")
	if err != nil {
		return "", err
	}
	_, werr := f.WriteString(report)
	cerr := f.Close()
	if werr != nil || cerr != nil {
		os.Remove(f.Name())
		if werr != nil {
			return "", werr
		}
		return "", cerr
	}
	return f.Name(), nil
}

// oneLine is the panic value on one line, shortened.
func oneLine(r any) string {
	s := strings.Join(strings.Fields(fmt.Sprint(r)), " ")
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200]) + "…"
	}
	return s
}
