// Command walls tightens the network layer of AWS VPCs: security groups and
// network ACLs. See README.md.
package main

import (
	"context"
	"os"

	"github.com/walls-dev/walls/internal/cli"
)

func main() {
	// The first SIGINT or SIGTERM cancels the run, which exits 130 (143 for
	// SIGTERM); a second one ends the process at once.
	ctx, stop := cli.SignalContext(context.Background(), os.Stderr)
	code := cli.Main(ctx, os.Args[1:], cli.System())
	stop()
	os.Exit(code)
}
