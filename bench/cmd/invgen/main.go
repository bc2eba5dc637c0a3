// Command invgen writes a large generated AWS CLI inventory for benchmarks:
//
//	go run ./bench/cmd/invgen -o bench/out/inv -groups 10000 -interfaces 100000
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/walls-dev/walls/bench/invgen"
)

func main() {
	var o invgen.Options
	out := flag.String("o", "bench/out/inventory", "output folder")
	flag.IntVar(&o.Groups, "groups", 10000, "security groups")
	flag.IntVar(&o.Interfaces, "interfaces", 100000, "network interfaces")
	flag.IntVar(&o.VPCs, "vpcs", 20, "VPCs")
	flag.IntVar(&o.Subnets, "subnets", 50, "subnets per VPC (at most 250)")
	flag.IntVar(&o.Pages, "pages", 1, "files per kind for groups and interfaces, as paginated dumps")
	flag.Uint64Var(&o.Seed, "seed", 1, "random seed")
	flag.Parse()
	if o.Subnets > 250 {
		fmt.Fprintln(os.Stderr, "invgen: -subnets must be at most 250")
		os.Exit(2)
	}
	if err := invgen.Write(*out, o); err != nil {
		fmt.Fprintln(os.Stderr, "invgen:", err)
		os.Exit(1)
	}
}
