package terraform

import (
	"fmt"
	"math/big"
	"net/netip"
	"regexp"

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

// hugeWidth finds a format verb whose width or precision would make a
// huge string (a hostile input's way to exhaust memory).
var hugeWidth = regexp.MustCompile(`%[-+# 0]*(?:\[\d+\])?\*?\d{5,}|%[^%a-zA-Z]*\.\d{5,}`)

// guardedFormat wraps format/formatlist: widths and precisions of five
// digits or more are refused.
func guardedFormat(fn function.Function) function.Function {
	return function.New(&function.Spec{
		Params:   fn.Params(),
		VarParam: fn.VarParam(),
		Type: func(args []cty.Value) (cty.Type, error) {
			return fn.ReturnTypeForValues(args)
		},
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			if len(args) > 0 && args[0].IsKnown() && !args[0].IsNull() && args[0].Type() == cty.String && hugeWidth.MatchString(args[0].AsString()) {
				return cty.DynamicVal, fmt.Errorf("format width or precision too large")
			}
			return fn.Call(args)
		},
	})
}

// tooBig reports whether a value is larger than any network declaration
// needs: more than maxElems elements in all, or strings over 1 MB.
func tooBig(v cty.Value) bool {
	budget := 100_000
	var walk func(v cty.Value) bool
	walk = func(v cty.Value) bool {
		budget--
		if budget < 0 {
			return true
		}
		if !v.IsKnown() || v.IsNull() {
			return false
		}
		v, _ = v.Unmark()
		t := v.Type()
		switch {
		case t == cty.String:
			return len(v.AsString()) > 1<<20
		case t.IsListType() || t.IsSetType() || t.IsTupleType() || t.IsMapType() || t.IsObjectType():
			for it := v.ElementIterator(); it.Next(); {
				_, e := it.Element()
				if walk(e) {
					return true
				}
			}
		}
		return false
	}
	return walk(v)
}
