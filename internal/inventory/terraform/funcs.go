package terraform

import (
	"fmt"
	"math/big"
	"net/netip"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"

	"github.com/walls-dev/walls/internal/inventory/internal/iac"
)

// cidrSubnetFunc is Terraform's cidrsubnet(prefix, newbits, netnum), common
// in subnet declarations.
var cidrSubnetFunc = function.New(&function.Spec{
	Params: []function.Parameter{
		{Name: "prefix", Type: cty.String},
		{Name: "newbits", Type: cty.Number},
		{Name: "netnum", Type: cty.Number},
	},
	Type: function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		p, err := iac.ParsePrefix(args[0].AsString(), 0)
		if err != nil {
			return cty.UnknownVal(cty.String), err
		}
		nb, acc := args[1].AsBigFloat().Int64()
		if acc != big.Exact {
			return cty.UnknownVal(cty.String), fmt.Errorf("newbits must be a whole number")
		}
		num, acc := args[2].AsBigFloat().Int(nil)
		if acc != big.Exact {
			return cty.UnknownVal(cty.String), fmt.Errorf("netnum must be a whole number")
		}
		q, err := cidrSubnet(p, int(nb), num)
		if err != nil {
			return cty.UnknownVal(cty.String), err
		}
		return cty.StringVal(q.String()), nil
	},
})

func cidrSubnet(p netip.Prefix, newbits int, num *big.Int) (netip.Prefix, error) {
	total := p.Addr().BitLen()
	bits := p.Bits() + newbits
	if newbits < 0 || bits > total {
		return netip.Prefix{}, fmt.Errorf("cidrsubnet: %d new bits do not fit %s", newbits, p)
	}
	if num.Sign() < 0 || num.BitLen() > newbits {
		return netip.Prefix{}, fmt.Errorf("cidrsubnet: network number %s does not fit %d bits", num, newbits)
	}
	raw := p.Addr().AsSlice()
	base := new(big.Int).SetBytes(raw)
	base.Or(base, new(big.Int).Lsh(num, uint(total-bits)))
	out := base.FillBytes(make([]byte, len(raw)))
	a, _ := netip.AddrFromSlice(out)
	return netip.PrefixFrom(a, bits), nil
}
