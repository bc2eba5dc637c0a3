// Command walls tightens the network layer of AWS VPCs: security groups and
// network ACLs. See README.md.
package main

import (
	"os"

	"github.com/walls-dev/walls/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], cli.System()))
}
