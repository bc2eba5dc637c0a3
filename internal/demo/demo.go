// Package demo holds the scenario that motivates walls, embedded in the
// binary so `walls demo` runs offline: an Auto Scaling group of Linux batch
// workers that engineers SSH into and that `yum install` packages at boot
// (HTTP, HTTPS, FTP), a MySQL database on 3306 in the same VPC, and the
// usual allow-all egress. yum's FTP is passive: besides the control
// connection to port 21, each download is a data connection the worker
// opens from an ephemeral port to a high port the mirror picks, and the
// flow logs hold those too. The data is ordinary AWS CLI JSON and VPC Flow
// Log text, read by the same loaders as any user input.
package demo

import (
	"embed"
	"fmt"
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

// Ports the flow logs show.
const (
	// EngineerSSHClientPort is the port worker 1's SSH sessions came from:
	// the worker's replies go there, and need no egress rule.
	EngineerSSHClientPort = 50514
	// FTPDataPort is the mirror's passive-mode port of one data connection
	// worker 1 opened (one of FTPDataPorts).
	FTPDataPort = 50041
)

// FTPDataPorts returns, in ascending order, the mirror's passive-mode ports
// the workers' FTP data connections reached in the flow logs.
func FTPDataPorts() []uint16 { return []uint16{50013, 50022, 50041, 50058, 50077, 50096} }

// Variant selects which files make up the inventory.
type Variant int

// The inventory variants of the story.
const (
	// Today: allow-all egress on the workers, the default NACL.
	Today Variant = iota
	// Tightened: the three egress rules a careful engineer writes (tcp 80,
	// 443 and 20-21, which lets FTP's control connection out but not its
	// passive data connections).
	Tightened
	// StrictNACL: tightened, plus a custom NACL on the workers' subnet that
	// forgets the inbound ephemeral range.
	StrictNACL
	// Planned: today's inventory evaluated with the plan walls learn wrote
	// (Workspace.Plan).
	Planned
)

// Workspace is a temporary folder holding the scenario's files, laid out
// as the demo's printed commands name them, so that with `walls demo
// --keep` every command can be run again by hand from the folder:
//
//	today/         the inventory as it is (AWS CLI JSON)
//	tightened/     the same with the three egress rules
//	strict-nacl/   tightened, plus a custom NACL on the workers' subnet
//	flows/         the workers' VPC Flow Logs, version 5 and version 2
//	plan.json      written by the demo's walls learn
//	walls_egress.tf, egress.yaml, apply-egress.sh
//	               the plan exported by walls export as Terraform,
//	               CloudFormation and an AWS CLI script
type Workspace struct {
	Dir string
}

// variantDirs names each variant's folder in the workspace.
var variantDirs = map[Variant]string{Today: "today", Tightened: "tightened", StrictNACL: "strict-nacl", Planned: "today"}

// NewWorkspace writes the scenario under a new temporary folder.
func NewWorkspace() (*Workspace, error) {
	dir, err := os.MkdirTemp("", "walls-demo-")
	if err != nil {
		return nil, err
	}
	w := &Workspace{Dir: dir}
	if err := w.write(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("writing the demo files: %w", err)
	}
	return w, nil
}

// write lays the embedded files out: each variant folder gets the shared
// inventory files with its own security groups and NACLs.
func (w *Workspace) write() error {
	shared := []string{"vpcs.json", "subnets.json", "network-interfaces.json"}
	layout := map[string]map[string]string{ // folder -> file -> embedded source
		"today":       {"security-groups.json": "inventory/security-groups.json", "network-acls.json": "inventory/network-acls.json"},
		"tightened":   {"security-groups.json": "tightened/security-groups.json", "network-acls.json": "inventory/network-acls.json"},
		"strict-nacl": {"security-groups.json": "tightened/security-groups.json", "network-acls.json": "custom-nacl/network-acls.json"},
		"flows":       {"workers-v5.log": "flows/workers-v5.log", "workers-v2.log": "flows/workers-v2.log"},
	}
	for folder, files := range layout {
		if folder != "flows" {
			for _, f := range shared {
				files[f] = "inventory/" + f
			}
		}
		if err := os.MkdirAll(filepath.Join(w.Dir, folder), 0o755); err != nil {
			return err
		}
		for name, src := range files {
			b, err := ReadFile(src)
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(w.Dir, folder, name), b, 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

// Close removes the workspace.
func (w *Workspace) Close() error { return os.RemoveAll(w.Dir) }

// Folder names a variant's inventory folder inside the workspace.
func Folder(v Variant) string { return variantDirs[v] }

// Inventory returns the inventory folder of a variant.
func (w *Workspace) Inventory(v Variant) []string {
	return []string{filepath.Join(w.Dir, Folder(v))}
}

// Plan is where the demo's walls learn writes its plan.
func (w *Workspace) Plan() string { return filepath.Join(w.Dir, "plan.json") }

// Export is where the demo's walls export writes the plan in a format:
// terraform, cloudformation or awscli.
func (w *Workspace) Export(format string) string {
	name := map[string]string{"terraform": "walls_egress.tf", "cloudformation": "egress.yaml", "awscli": "apply-egress.sh"}[format]
	return filepath.Join(w.Dir, name)
}

// Flows returns the workers' flow log file in version 5 (with tcp-flags
// and flow-direction) or version 2 (the default format).
func (w *Workspace) Flows(version int) string {
	return filepath.Join(w.Dir, "flows", fmt.Sprintf("workers-v%d.log", version))
}

// ReadFile returns one embedded file by its path under data/.
func ReadFile(name string) ([]byte, error) { return data.ReadFile(path.Join("data", name)) }
