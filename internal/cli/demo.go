package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/walls-dev/walls/internal/demo"
	"github.com/walls-dev/walls/internal/inventory"
	"github.com/walls-dev/walls/internal/netspace"
	"github.com/walls-dev/walls/internal/plan"
	"github.com/walls-dev/walls/internal/reach"
	"github.com/walls-dev/walls/internal/vpc"
)

func init() { register(newDemoCmd) }

// DemoOptions are the inputs of `walls demo`.
type DemoOptions struct {
	IO *IOStreams
	// Keep leaves the scenario's files on disk and prints where.
	Keep bool
}

func newDemoCmd(io *IOStreams) *cobra.Command {
	o := &DemoOptions{IO: io}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the scenario that motivates walls, end to end, on embedded data",
		Long: `Run the seed scenario offline: Linux batch workers that engineers SSH into
and that yum-install packages at boot, a MySQL database in the same VPC, and
the usual allow-all egress. The hand-written fix (tcp 80, 443, 20-21) keeps
FTP's control connection but cuts its passive data connections; the rules
learned from the flow logs keep them. Each step runs a real walls command on
embedded AWS CLI JSON and flow logs and checks its verdict; the demo exits 1
if any step's answer differs from the story's.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runDemo(o) },
	}
	cmd.Flags().BoolVar(&o.Keep, "keep", false, "keep the scenario's files and print their folder, to rerun the commands yourself")
	return cmd
}

// demoCheck is one `walls check` the story runs, with the verdict it expects.
type demoCheck struct {
	variant demo.Variant
	args    []string
	expect  string // "allowed" or "denied"
	because string
	// deniedAt, when set, is the trace step that must deny: the story
	// says where the connection is cut.
	deniedAt reach.Step
}

// demoCommand is any other walls command the story runs (audit, learn,
// diff), with a test of its result: ok is false when the answer is not the
// story's, and why says what was expected.
type demoCommand struct {
	show   string                            // the command line as printed
	args   func(ws *demo.Workspace) []string // the real arguments
	expect func(ws *demo.Workspace, stdout string, code int) (ok bool, why string)
	// tail limits how many lines of output are printed (0 = all).
	tail int
	// print, when set, is a file the command wrote, printed after it.
	print func(ws *demo.Workspace) string
}

// demoStep is one chapter of the story: commands first, then checks.
type demoStep struct {
	title    string
	intro    string
	commands []demoCommand
	checks   []demoCheck
	outro    string
}

func demoSteps() []demoStep {
	w, db, eng, mirror, ftp := demo.Worker1Instance, demo.DatabaseIP, demo.EngineerIP, demo.MirrorIP, demo.FTPMirrorIP
	ftpData := fmt.Sprint(demo.FTPDataPort)
	return []demoStep{
		{
			title: "Where are the open doors?",
			intro: "walls audit reads the same inventory and lists what an intruder would use first.",
			commands: []demoCommand{{
				show: "walls audit today/",
				args: func(ws *demo.Workspace) []string { return append([]string{"audit"}, ws.Inventory(demo.Today)...) },
				expect: func(_ *demo.Workspace, out string, code int) (bool, string) {
					first := firstFindingLine(out)
					return strings.Contains(first, "WALLS-SG-001") && strings.Contains(first, demo.WorkersSG),
						"the workers' allow-all egress is the first finding"
				},
			}},
		},
		{
			title: "Today: the workers' security group allows all egress",
			intro: "The batch workers' group (batch-workers) allows SSH in from the office and, like most groups,\n" +
				"all traffic out. The orders database admits MySQL from anything in the VPC.",
			checks: []demoCheck{{demo.Today, []string{"--from", w, "--to", db, "--port", "3306"}, "allowed",
				"a worker can open MySQL on the database; so can whoever breaks into a worker", ""}},
		},
		{
			title: "Three egress rules: tcp 80, 443 and 20-21 to the internet",
			intro: "The workers start only yum's connections (HTTP, HTTPS, FTP). SSH sessions are started by\n" +
				"engineers, and security groups are stateful, so SSH replies need no egress rule.",
			checks: []demoCheck{
				{demo.Tightened, []string{"--from", eng, "--to", w, "--port", "22"}, "allowed", "engineers still SSH in", ""},
				{demo.Tightened, []string{"--from", w, "--to", mirror, "--port", "443"}, "allowed", "yum still reaches its HTTPS mirror", ""},
				{demo.Tightened, []string{"--from", w, "--to", ftp, "--port", "21"}, "allowed", "and its FTP mirror's control port", ""},
				{demo.Tightened, []string{"--from", w, "--to", db, "--port", "3306"}, "denied", "the database is walled off", ""},
			},
		},
		{
			title: "But tcp 20-21 is not FTP: the downloads are cut",
			intro: "yum's FTP is passive. The worker opens the control connection to port 21, asks the mirror\n" +
				"for a data port (PASV), then opens each download as a new connection from another ephemeral\n" +
				"port of its own to the high port the mirror named. The flow logs show them: the workers\n" +
				"reached " + ftp + " on 21 and on " + portList(demo.FTPDataPorts()) + ".\n" +
				"tcp 20-21 lets the control connection out and none of the downloads. Port 20 does not help:\n" +
				"it is the server's end of active mode, where the server opens the data connection, so a\n" +
				"client never needs egress to it.",
			checks: []demoCheck{
				{demo.Tightened, []string{"--from", w, "--to", ftp, "--port", ftpData}, "denied",
					"the article's rules cut this download at the workers' own egress", reach.StepSourceSG},
			},
		},
		{
			title: "Let the flow logs write the rules",
			intro: "walls learn reads the workers' VPC Flow Logs, keeps only the connections the workers started,\n" +
				"and proposes the least egress that keeps them working: FTP's data connections included, their\n" +
				"ports to the mirror merged into one range. The plan proves that it allows nothing the current\n" +
				"rules deny and that replaying the logs blocks nothing.",
			commands: []demoCommand{
				{
					show: "walls learn today/ --flows flows/workers-v5.log -o plan.json",
					args: func(ws *demo.Workspace) []string {
						return append(append([]string{"learn"}, ws.Inventory(demo.Today)...), "--flows", ws.Flows(5), "-o", ws.Plan())
					},
					expect: func(ws *demo.Workspace, out string, code int) (bool, string) {
						const why = "the proposal keeps yum (tcp 80, 443, 21 and %s for the FTP data ports seen) and opens nothing for SSH, port 20 or MySQL"
						if code != 0 {
							return false, fmt.Sprintf(why, "a range")
						}
						rng, err := checkLearnedPlan(ws)
						if err != nil {
							return false, fmt.Sprintf(why, "a range") + ": " + err.Error()
						}
						return true, fmt.Sprintf(why, rng)
					},
				},
				{
					show: "walls diff today/ --plan plan.json",
					args: func(ws *demo.Workspace) []string {
						return append(append([]string{"diff"}, ws.Inventory(demo.Today)...), "--plan", ws.Plan())
					},
					expect: func(_ *demo.Workspace, out string, code int) (bool, string) {
						return code == 0 && strings.Contains(out, "no longer allowed"), "exactly what the workers could do before and no longer can"
					},
				},
			},
			checks: []demoCheck{
				{demo.Planned, []string{"--from", eng, "--to", w, "--port", "22"}, "allowed", "with the plan, engineers still SSH in", ""},
				{demo.Planned, []string{"--from", w, "--to", mirror, "--port", "443"}, "allowed", "yum still works over HTTPS", ""},
				{demo.Planned, []string{"--from", w, "--to", ftp, "--port", ftpData}, "allowed",
					"and over FTP: the download the article's rules cut goes through", ""},
				{demo.Planned, []string{"--from", w, "--to", db, "--port", "3306"}, "denied", "and the database is walled off", reach.StepSourceSG},
			},
		},
		{
			title: "A custom network ACL that forgets the return traffic",
			intro: "Network ACLs are stateless. This one, on the workers' subnet, allows the article's yum ports\n" +
				"out (80, 443, 20-21) and SSH in, but no inbound ephemeral ports: the replies from the mirrors\n" +
				"never get back.",
			checks: []demoCheck{
				{demo.StrictNACL, []string{"--from", w, "--to", mirror, "--port", "443"}, "denied",
					"the security group allows yum, the NACL silently breaks it on the way back", reach.StepReturnSrcNACL},
				{demo.StrictNACL, []string{"--from", eng, "--to", w, "--port", "22"}, "allowed",
					"SSH still works: its replies leave through outbound rule 130", ""},
			},
		},
		{
			title: "Ship it: the plan as Terraform, CloudFormation and an AWS CLI script",
			intro: "walls export writes the proposal for review in your own tools: one\n" +
				"aws_vpc_security_group_egress_rule per rule, AWS::EC2::SecurityGroupEgress resources, or a script\n" +
				"that authorizes the new rules before it revokes the allow-all. Each rule carries its evidence.",
			commands: []demoCommand{
				demoExport("cloudformation", "egress.yaml", false),
				demoExport("awscli", "apply-egress.sh", false),
				demoExport("terraform", "walls_egress.tf", true),
			},
		},
	}
}

// demoExport is the demo's walls export of its plan in one format, checked
// by reading the file back: the Terraform and the CloudFormation through
// walls' own loaders (exactly the proposed rules), the script by its
// commands (an authorize per new rule, then the revoke of the allow-all).
func demoExport(format, file string, print bool) demoCommand {
	c := demoCommand{
		show: "walls export today/ --plan plan.json --format " + format + " -o " + file,
		args: func(ws *demo.Workspace) []string {
			return append(append([]string{"export"}, ws.Inventory(demo.Today)...), "--plan", ws.Plan(), "--format", format, "-o", ws.Export(format))
		},
		expect: func(ws *demo.Workspace, _ string, code int) (bool, string) {
			why := file + " holds exactly the proposed rules"
			if format == "awscli" {
				why = file + " authorizes each proposed rule, then revokes the allow-all"
			}
			if code != 0 {
				return false, why
			}
			if err := checkExported(ws, format); err != nil {
				return false, why + ": " + err.Error()
			}
			return true, why
		},
	}
	if print {
		c.print = func(ws *demo.Workspace) string { return ws.Export(format) }
	}
	return c
}

// checkExported reads an exported file of the demo back.
func checkExported(ws *demo.Workspace, format string) error {
	data, err := os.ReadFile(ws.Plan())
	if err != nil {
		return err
	}
	p, err := plan.Parse(ws.Plan(), data)
	if err != nil {
		return err
	}
	g := p.Group(demo.WorkersSG)
	if g == nil {
		return fmt.Errorf("the plan has no group %s", demo.WorkersSG)
	}
	want, err := plan.Rules(g.GroupID, g.ProposedEgress)
	if err != nil {
		return err
	}
	out, err := os.ReadFile(ws.Export(format))
	if err != nil {
		return err
	}
	if format == "awscli" {
		s := string(out)
		if n := strings.Count(s, "aws ec2 authorize-security-group-egress --group-id "+demo.WorkersSG); n != len(want) {
			return fmt.Errorf("%d authorize commands for %d proposed rules", n, len(want))
		}
		a, r := strings.LastIndex(s, "authorize-security-group-egress"), strings.Index(s, "revoke-security-group-egress --group-id "+demo.WorkersSG)
		if r < 0 || r < a {
			return fmt.Errorf("no revoke of the current egress after the authorizations")
		}
		return nil
	}
	// Alone in a folder, the file is the group's whole egress.
	dir, err := os.MkdirTemp("", "walls-demo-export-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, filepath.Base(ws.Export(format))), out, 0o644); err != nil {
		return err
	}
	back, err := inventory.Load([]string{dir})
	if err != nil {
		return err
	}
	bg := back.Groups[demo.WorkersSG]
	if bg == nil {
		return fmt.Errorf("no rules of %s read back", demo.WorkersSG)
	}
	if d := plan.CompareRules(back, g.GroupID, bg.Egress, want); d.Changed() || len(bg.Egress) != len(want) {
		return fmt.Errorf("read back as %d rules that differ from the proposal", len(bg.Egress))
	}
	return nil
}

func runDemo(o *DemoOptions) error {
	ws, err := demo.NewWorkspace()
	if err != nil {
		return err
	}
	if o.Keep {
		fmt.Fprintf(o.IO.ErrOut, "walls: demo files kept in %s\n", ws.Dir)
	} else {
		defer ws.Close()
	}
	// Run from the workspace with the relative paths the printed commands
	// show, so output (audit locations) reads as the commands do.
	orig, err := os.Getwd()
	if err != nil {
		return err
	}
	if err := os.Chdir(ws.Dir); err != nil {
		return err
	}
	defer os.Chdir(orig)
	rel := &demo.Workspace{Dir: "."}
	out := o.IO.Out
	fmt.Fprintln(out, "walls demo: walls at every turn")
	fmt.Fprintln(out, strings.Repeat("=", 31))
	failed := 0
	for i, st := range demoSteps() {
		fmt.Fprintf(out, "\n%d. %s\n\n%s\n", i+1, st.title, st.intro)
		for _, c := range st.commands {
			ok, err := runDemoCommand(o, rel, c)
			if err != nil {
				return err
			}
			if !ok {
				failed++
			}
		}
		for _, c := range st.checks {
			ok, err := runDemoCheck(o, rel, c)
			if err != nil {
				return err
			}
			if !ok {
				failed++
			}
		}
		if st.outro != "" {
			fmt.Fprintf(out, "\n%s\n", st.outro)
		}
	}
	if failed > 0 {
		fmt.Fprintf(out, "\n%d step(s) did not give the answer the story expects.\n", failed)
		return verdict()
	}
	fmt.Fprintln(out, "\nEvery step gave the expected answer.")
	return nil
}

// variantLabel names a variant's inventory in the printed command lines,
// as the workspace lays it out.
func variantLabel(v demo.Variant) string {
	if v == demo.Planned {
		return "today/ --plan plan.json"
	}
	return demo.Folder(v) + "/"
}

// runDemoCheck runs one check through the real command path and prints
// its table, then whether the verdict matches the story.
func runDemoCheck(o *DemoOptions, ws *demo.Workspace, c demoCheck) (bool, error) {
	fmt.Fprintf(o.IO.Out, "\n$ walls check %s %s\n", variantLabel(c.variant), strings.Join(c.args, " "))
	var stdout, stderr bytes.Buffer
	sub := &IOStreams{In: strings.NewReader(""), Out: &stdout, ErrOut: &stderr}
	args := append([]string{"check"}, ws.Inventory(c.variant)...)
	if c.variant == demo.Planned {
		args = append(args, "--plan", ws.Plan())
	}
	args = append(args, c.args...)
	code := Main(o.IO.runContext(), args, sub)
	if code == ExitBadInput {
		return false, fmt.Errorf("demo step failed: %s", strings.TrimSpace(stderr.String()))
	}
	indent(o.IO.Out, stdout.String())
	got := "allowed"
	if code == ExitFinding {
		got = "denied"
	}
	mark, ok := "ok", got == c.expect
	if !ok {
		mark = "UNEXPECTED: expected " + c.expect
	} else if c.deniedAt != "" {
		denied, err := deniesAt(o.IO.runContext(), args, c.deniedAt)
		if err != nil {
			return false, err
		}
		if !denied {
			mark, ok = fmt.Sprintf("UNEXPECTED: expected step %s to deny", c.deniedAt), false
		}
	}
	fmt.Fprintf(o.IO.Out, "=> %s: %s [%s]\n", got, c.because, mark)
	return ok, nil
}

// deniesAt runs a check again with JSON output and reports whether the
// trace's step denies.
func deniesAt(ctx context.Context, args []string, step reach.Step) (bool, error) {
	var stdout, stderr bytes.Buffer
	sub := &IOStreams{In: strings.NewReader(""), Out: &stdout, ErrOut: &stderr}
	if code := Main(ctx, append(slices.Clip(args), "--format", "json"), sub); code == ExitBadInput {
		return false, fmt.Errorf("demo step failed: %s", strings.TrimSpace(stderr.String()))
	}
	var trace struct {
		Hops []struct {
			Step   reach.Step `json:"step"`
			Result string     `json:"result"`
		} `json:"hops"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &trace); err != nil {
		return false, fmt.Errorf("demo step: reading walls check --format json: %w", err)
	}
	for _, h := range trace.Hops {
		if h.Step == step && h.Result == "deny" {
			return true, nil
		}
	}
	return false, nil
}

// runDemoCommand runs one command through the real command path, prints
// its output and whether the result is the story's.
func runDemoCommand(o *DemoOptions, ws *demo.Workspace, c demoCommand) (bool, error) {
	fmt.Fprintf(o.IO.Out, "\n$ %s\n", c.show)
	var stdout, stderr bytes.Buffer
	sub := &IOStreams{In: strings.NewReader(""), Out: &stdout, ErrOut: &stderr}
	code := Main(o.IO.runContext(), c.args(ws), sub)
	if code == ExitBadInput {
		return false, fmt.Errorf("demo step %q failed: %s", c.show, strings.TrimSpace(stderr.String()))
	}
	if stdout.Len() > 0 {
		indent(o.IO.Out, stdout.String())
	}
	ok, why := c.expect(ws, stdout.String(), code)
	if ok && c.print != nil {
		b, err := os.ReadFile(c.print(ws))
		if err != nil {
			return false, err
		}
		fmt.Fprintf(o.IO.Out, "\n$ cat %s\n", filepath.Base(c.print(ws)))
		indent(o.IO.Out, string(b))
	}
	mark := "ok"
	if !ok {
		mark = "UNEXPECTED"
	}
	fmt.Fprintf(o.IO.Out, "=> %s [%s]\n", why, mark)
	return ok, nil
}

// firstFindingLine returns the first table row that names a check.
func firstFindingLine(out string) string {
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "WALLS-") {
			return line
		}
	}
	return ""
}

func indent(w io.Writer, s string) {
	for _, line := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		fmt.Fprintln(w, "   "+line)
	}
}

// portList renders ports as "a, b, ... and z".
func portList(ports []uint16) string {
	s := make([]string, len(ports))
	for i, p := range ports {
		s[i] = fmt.Sprint(p)
	}
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// checkLearnedPlan holds the demo's plan to the story by what it allows,
// not by how learn words it: under the plan the workers still reach yum's
// mirrors on 80, 443, 21 and every FTP data port seen, through one proposed
// tcp range covering all of those ports, and still cannot reach the
// database, FTP's port 20 or the engineers' SSH clients (whose sessions
// are replies, and need no egress). It returns that range, as "tcp lo-hi".
func checkLearnedPlan(ws *demo.Workspace) (string, error) {
	inv, err := inventory.Load(ws.Inventory(demo.Today))
	if err != nil {
		return "", err
	}
	data, err := os.ReadFile(ws.Plan())
	if err != nil {
		return "", err
	}
	p, err := plan.Parse(ws.Plan(), data)
	if err != nil {
		return "", err
	}
	planned, err := plan.Apply(inv, p)
	if err != nil {
		return "", err
	}
	egress := plan.NewEgress(planned)
	groups := []string{demo.WorkersSG}
	tcp := func(addr string, port uint16) netspace.Packet {
		return netspace.Packet{Protocol: uint8(vpc.ProtoTCP), Port: port, Addr: netip.MustParseAddr(addr)}
	}
	type want struct {
		addr  string
		port  uint16
		allow bool
	}
	wants := []want{
		{demo.MirrorIP, 80, true}, {demo.MirrorIP, 443, true}, {demo.FTPMirrorIP, 21, true},
		{demo.FTPMirrorIP, 20, false}, {demo.DatabaseIP, 3306, false},
		{demo.EngineerIP, 22, false}, {demo.EngineerIP, demo.EngineerSSHClientPort, false},
	}
	dataPorts := demo.FTPDataPorts()
	for _, port := range dataPorts {
		wants = append(wants, want{demo.FTPMirrorIP, port, true})
	}
	for _, w := range wants {
		if got := egress.Allows(groups, tcp(w.addr, w.port)); got != w.allow {
			verb := "allows"
			if !got {
				verb = "denies"
			}
			return "", fmt.Errorf("the plan %s tcp %d to %s", verb, w.port, w.addr)
		}
	}
	g := p.Group(demo.WorkersSG)
	if g == nil {
		return "", fmt.Errorf("the plan has no group %s", demo.WorkersSG)
	}
	rules, err := plan.Rules(g.GroupID, g.ProposedEgress)
	if err != nil {
		return "", err
	}
	lo, hi := int32(dataPorts[0]), int32(dataPorts[len(dataPorts)-1])
	for _, r := range rules {
		if r.Protocol == vpc.ProtoTCP && r.FromPort <= lo && r.ToPort >= hi {
			return fmt.Sprintf("tcp %d-%d", r.FromPort, r.ToPort), nil
		}
	}
	return "", fmt.Errorf("no proposed tcp rule covers the FTP data ports %d-%d in one range", lo, hi)
}
