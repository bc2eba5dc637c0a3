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

// lookupFunc is Terraform's lookup(map, key[, default]): the element of a
// map or object at key, else the default, which may be null (go-cty's
// LookupFunc requires a non-null default, which made lookup(m, k, null)
// unknown).
var lookupFunc = function.New(&function.Spec{
	Params: []function.Parameter{
		{Name: "inputMap", Type: cty.DynamicPseudoType, AllowMarked: true},
		{Name: "key", Type: cty.String, AllowMarked: true},
	},
	VarParam: &function.Parameter{Name: "default", Type: cty.DynamicPseudoType, AllowNull: true, AllowUnknown: true, AllowDynamicType: true, AllowMarked: true},
	Type: func(args []cty.Value) (cty.Type, error) {
		v, err := lookup(args)
		if err != nil {
			return cty.NilType, err
		}
		return v.Type(), nil
	},
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) { return lookup(args) },
})

func lookup(args []cty.Value) (cty.Value, error) {
	if len(args) > 3 {
		return cty.NilVal, fmt.Errorf("lookup: want at most three arguments")
	}
	m, key := args[0], args[1]
	if !m.IsKnown() || !key.IsKnown() {
		return cty.DynamicVal, nil
	}
	m, mm := m.Unmark()
	key, km := key.Unmark()
	if m.IsNull() || key.IsNull() {
		return cty.NilVal, fmt.Errorf("lookup: map and key must not be null")
	}
	t := m.Type()
	if !t.IsMapType() && !t.IsObjectType() {
		return cty.NilVal, fmt.Errorf("lookup: want a map or object, not %s", t.FriendlyName())
	}
	k := key.AsString()
	found := false
	if t.IsObjectType() {
		found = t.HasAttribute(k)
	} else {
		found = m.HasIndex(key).True()
	}
	if found {
		var v cty.Value
		if t.IsObjectType() {
			v = m.GetAttr(k)
		} else {
			v = m.Index(key)
		}
		return v.WithMarks(mm, km), nil
	}
	if len(args) == 3 {
		return args[2].WithMarks(mm, km), nil
	}
	return cty.NilVal, fmt.Errorf("lookup: key %q not found and no default", k)
}

// oneFunc is Terraform's one(list): null for an empty collection, its
// element for one, an error for more.
var oneFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "list", Type: cty.DynamicPseudoType}},
	Type: func(args []cty.Value) (cty.Type, error) {
		t := args[0].Type()
		switch {
		case t.IsListType() || t.IsSetType():
			return t.ElementType(), nil
		case t.IsTupleType():
			switch len(t.TupleElementTypes()) {
			case 0:
				return cty.DynamicPseudoType, nil
			case 1:
				return t.TupleElementTypes()[0], nil
			}
			return cty.NilType, fmt.Errorf("one: want a collection of at most one element")
		case t == cty.DynamicPseudoType:
			return cty.DynamicPseudoType, nil
		}
		return cty.NilType, fmt.Errorf("one: want a list, set or tuple")
	},
	Impl: func(args []cty.Value, ret cty.Type) (cty.Value, error) {
		v := args[0]
		if !v.IsKnown() {
			return cty.UnknownVal(ret), nil
		}
		if v.IsNull() {
			return cty.NilVal, fmt.Errorf("one: argument must not be null")
		}
		switch v.LengthInt() {
		case 0:
			return cty.NullVal(ret), nil
		case 1:
			it := v.ElementIterator()
			it.Next()
			_, e := it.Element()
			return e, nil
		}
		return cty.NilVal, fmt.Errorf("one: want a collection of at most one element")
	},
})

// cidrHostFunc is Terraform's cidrhost(prefix, hostnum): the address
// numbered hostnum within the prefix; a negative number counts back from
// its last address (-1 is the last).
var cidrHostFunc = function.New(&function.Spec{
	Params: []function.Parameter{
		{Name: "prefix", Type: cty.String},
		{Name: "hostnum", Type: cty.Number},
	},
	Type: function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		p, err := iac.ParsePrefix(args[0].AsString(), 0)
		if err != nil {
			return cty.UnknownVal(cty.String), err
		}
		num, acc := args[1].AsBigFloat().Int(nil)
		if acc != big.Exact {
			return cty.UnknownVal(cty.String), fmt.Errorf("hostnum must be a whole number")
		}
		a, err := cidrHost(p, num)
		if err != nil {
			return cty.UnknownVal(cty.String), err
		}
		return cty.StringVal(a.String()), nil
	},
})

func cidrHost(p netip.Prefix, num *big.Int) (netip.Addr, error) {
	p = p.Masked()
	hostBits := p.Addr().BitLen() - p.Bits()
	size := new(big.Int).Lsh(big.NewInt(1), uint(hostBits))
	n := new(big.Int).Set(num)
	if n.Sign() < 0 {
		n.Add(n, size)
	}
	if n.Sign() < 0 || n.Cmp(size) >= 0 {
		return netip.Addr{}, fmt.Errorf("cidrhost: prefix %s has no host numbered %s", p, num)
	}
	raw := p.Addr().AsSlice()
	base := new(big.Int).SetBytes(raw)
	base.Or(base, n)
	a, _ := netip.AddrFromSlice(base.FillBytes(make([]byte, len(raw))))
	return a, nil
}

// cidrNetmaskFunc is Terraform's cidrnetmask(prefix): the IPv4 mask in
// dotted form.
var cidrNetmaskFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "prefix", Type: cty.String}},
	Type:   function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		p, err := iac.ParsePrefix(args[0].AsString(), 0)
		if err != nil {
			return cty.UnknownVal(cty.String), err
		}
		if !p.Addr().Is4() {
			return cty.UnknownVal(cty.String), fmt.Errorf("cidrnetmask: %s is not an IPv4 prefix", p)
		}
		m := ^uint32(0) << (32 - p.Bits())
		if p.Bits() == 0 {
			m = 0
		}
		return cty.StringVal(netip.AddrFrom4([4]byte{byte(m >> 24), byte(m >> 16), byte(m >> 8), byte(m)}).String()), nil
	},
})
