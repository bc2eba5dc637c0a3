package cli

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// checkedWriter passes writes through and remembers the first error, so a
// command whose stdout cannot be written (a full disk, a closed pipe) fails
// even when the code that wrote did not look at the error. After a failure
// every write fails with the same error: nothing is written past a gap.
type checkedWriter struct {
	w   io.Writer
	mu  sync.Mutex
	err error
}

func (c *checkedWriter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	if err != nil {
		c.err = err
	}
	return n, err
}

// errStopped fails the writes of a run Main abandoned.
var errStopped = errors.New("the run was stopped")

// stop makes every later write fail without reaching the writer: Main
// calls it when it abandons a command that did not stop in time, so
// nothing it writes afterwards mixes with what comes next.
func (c *checkedWriter) stop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil {
		c.err = errStopped
	}
}

// Err returns the first write error, or nil.
func (c *checkedWriter) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// stdoutPath is the -o value that means standard output.
const stdoutPath = "-"

// checkOutputPath refuses, before any work is done, an output path that
// could not be written safely: one that exists and is not a regular file
// (a symbolic link, a device such as /dev/stdout, a FIFO, a folder), or
// one that is the same file as one of the run's inputs (named files, every
// file inside named folders, and the .tf files beside a named .tf file).
// flag names the option in messages ("-o"). Inputs named "-" (stdin) are
// skipped. Every refusal is bad usage (exit 2).
func checkOutputPath(flag, path string, inputs []string) error {
	if path == "" {
		return badInputf("%s: empty path; want the file to write", flag)
	}
	st, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // a new file cannot be an input
	}
	if err != nil {
		return badInputf("%s %s: %v", flag, path, unwrapPath(err))
	}
	if err := refuseIrregular(flag, path, st); err != nil {
		return err
	}
	for _, in := range inputs {
		if in == stdoutPath || in == "" {
			continue
		}
		same, err := containsFile(in, st)
		if err != nil {
			continue // the loader reports unreadable inputs itself
		}
		if same != "" {
			return badInputf("%s %s: is the input %s; writing it would destroy what the run reads: choose another path", flag, path, same)
		}
	}
	return nil
}

// refuseIrregular refuses an existing target that is not a regular file.
func refuseIrregular(flag, path string, st fs.FileInfo) error {
	m := st.Mode()
	var what string
	switch {
	case m.IsRegular():
		return nil
	case m.IsDir():
		return badInputf("%s %s: is a folder; want the file's path, such as %s", flag, path, filepath.Join(path, "plan.json"))
	case m&fs.ModeSymlink != 0:
		what = "a symbolic link"
	case m&fs.ModeNamedPipe != 0:
		what = "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		what = "a socket"
	case m&fs.ModeDevice != 0:
		what = "a device"
	default:
		what = "not a regular file"
	}
	return badInputf("%s %s: is %s; walls only replaces regular files (for standard output use %s %s)", flag, path, what, flag, stdoutPath)
}

// containsFile reports which file under input (the input itself, a file
// inside it when it is a folder, a .tf file beside it when it is one) is
// the same file as target, or "".
func containsFile(input string, target fs.FileInfo) (string, error) {
	st, err := os.Stat(input)
	if err != nil {
		return "", err
	}
	if os.SameFile(st, target) {
		return input, nil
	}
	if !st.IsDir() {
		if strings.HasSuffix(input, ".tf") {
			// the loader reads every .tf file of a named .tf file's folder
			entries, err := os.ReadDir(filepath.Dir(input))
			if err != nil {
				return "", err
			}
			for _, e := range entries {
				p := filepath.Join(filepath.Dir(input), e.Name())
				if fi, err := os.Stat(p); err == nil && os.SameFile(fi, target) {
					return p, nil
				}
			}
		}
		return "", nil
	}
	found := ""
	err = filepath.WalkDir(input, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // unreadable parts are the loader's to report
		}
		if d.IsDir() {
			return nil
		}
		fi, err := os.Stat(p) // follows links, as the loaders read them
		if err == nil && os.SameFile(fi, target) {
			found = p
			return filepath.SkipAll
		}
		return nil
	})
	return found, err
}

// writeFileAtomic writes path through write, so that no reader ever sees
// a partial file and concurrent writers never mix: the content goes to a
// fresh temporary file in path's folder (created exclusively, with a
// unique name), which is synced, closed and renamed over path; the folder
// is then synced where the system allows it. An existing path that is not
// a regular file is refused (exit 2) and left alone. A failure removes the
// temporary file and leaves path as it was.
func writeFileAtomic(flag, path string, write func(io.Writer) error) (err error) {
	mode := fs.FileMode(0o644)
	if st, err := os.Lstat(path); err == nil {
		if err := refuseIrregular(flag, path, st); err != nil {
			return err
		}
		mode = st.Mode().Perm() // replacing a file keeps its permissions
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return badInputf("%s %s: %v", flag, path, unwrapPath(err))
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := write(f); err != nil {
		return badInputf("%s: writing %s: %v", flag, path, unwrapPath(err))
	}
	if err := f.Sync(); err != nil {
		return badInputf("%s: writing %s: %v", flag, path, unwrapPath(err))
	}
	// CreateTemp makes the file 0600; a plan is an ordinary document.
	if err := f.Chmod(mode); err != nil && runtime.GOOS != "windows" {
		return badInputf("%s: writing %s: %v", flag, path, unwrapPath(err))
	}
	if err := f.Close(); err != nil {
		return badInputf("%s: writing %s: %v", flag, path, unwrapPath(err))
	}
	if err := os.Rename(tmp, path); err != nil {
		return badInputf("%s %s: %v", flag, path, unwrapPath(err))
	}
	syncDir(dir)
	return nil
}

// syncDir makes a rename in dir durable. Some systems (Windows) cannot
// open or sync a folder; the rename itself is atomic either way.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	d.Sync()
	d.Close()
}

// unwrapPath drops the *fs.PathError wrapping, whose path and operation
// the message already names.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
