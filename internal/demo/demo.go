// Package demo holds the scenario that motivates walls, embedded in the
// binary so `walls demo` runs offline: an Auto Scaling group of Linux batch
// workers that engineers SSH into and that `yum install` packages at boot
// (HTTP, HTTPS, FTP), a MySQL database on 3306 in the same VPC, and the
// usual allow-all egress. The data is ordinary AWS CLI JSON and VPC Flow Log
// text, read by the same loaders as any user input.
package demo

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
)

//go:embed data
var data embed.FS

// Addresses and ids of the scenario, for the steps that query it.
const (
	Worker1ENI      = "eni-0a1b2c3d4e5f60101"
	Worker1Instance = "i-0a1b2c3d4e5f60101"
	Worker1IP       = "10.0.1.10"
	WorkersSG       = "sg-0a1b2c3d4e5f60021"
	DatabaseIP      = "10.0.2.20"
	DatabaseSG      = "sg-0a1b2c3d4e5f60022"
	EngineerIP      = "198.51.100.7" // the engineers' office
	MirrorIP        = "192.0.2.10"   // a yum mirror (HTTP and HTTPS)
	FTPMirrorIP     = "192.0.2.21"   // a yum mirror over FTP
)

// Variant selects which files make up the inventory.
type Variant int

// The inventory variants of the story.
const (
	// Today: allow-all egress on the workers, the default NACL.
	Today Variant = iota
	// Tightened: the three egress rules a careful engineer writes.
	Tightened
	// StrictNACL: tightened, plus a custom NACL on the workers' subnet that
	// forgets the inbound ephemeral range.
	StrictNACL
	// Planned: today's inventory evaluated with the plan walls learn wrote
	// (Workspace.Plan).
	Planned
)

// Workspace is a temporary folder holding the scenario's files.
type Workspace struct {
	Dir string
}

// NewWorkspace writes every embedded file under a new temporary folder.
func NewWorkspace() (*Workspace, error) {
	dir, err := os.MkdirTemp("", "walls-demo-")
	if err != nil {
		return nil, err
	}
	err = fs.WalkDir(data, "data", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel("data", filepath.FromSlash(p))
		dst := filepath.Join(dir, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := data.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("writing the demo files: %w", err)
	}
	return &Workspace{Dir: dir}, nil
}

// Close removes the workspace.
func (w *Workspace) Close() error { return os.RemoveAll(w.Dir) }

// Inventory returns the input files of a variant.
func (w *Workspace) Inventory(v Variant) []string {
	base := []string{"vpcs.json", "subnets.json", "network-interfaces.json"}
	var files []string
	for _, f := range base {
		files = append(files, filepath.Join(w.Dir, "inventory", f))
	}
	sg := filepath.Join(w.Dir, "inventory", "security-groups.json")
	nacl := filepath.Join(w.Dir, "inventory", "network-acls.json")
	switch v {
	case Today, Planned:
	case Tightened:
		sg = filepath.Join(w.Dir, "tightened", "security-groups.json")
	case StrictNACL:
		sg = filepath.Join(w.Dir, "tightened", "security-groups.json")
		nacl = filepath.Join(w.Dir, "custom-nacl", "network-acls.json")
	}
	return append(files, sg, nacl)
}

// Plan is where the demo's walls learn writes its plan.
func (w *Workspace) Plan() string { return filepath.Join(w.Dir, "plan.json") }

// Flows returns the workers' flow log file in version 5 (with tcp-flags
// and flow-direction) or version 2 (the default format).
func (w *Workspace) Flows(version int) string {
	return filepath.Join(w.Dir, "flows", fmt.Sprintf("workers-v%d.log", version))
}

// ReadFile returns one embedded file by its path under data/.
func ReadFile(name string) ([]byte, error) { return data.ReadFile(path.Join("data", name)) }
