// Package awstest holds in-process AWS endpoints for tests: httptest
// servers that speak each service's real wire protocol, keep state, inject
// faults on demand and record the calls they serve. Clients reach them
// through the SDK's ordinary endpoint configuration (AWS_ENDPOINT_URL or a
// client's BaseEndpoint), so the code under test runs unchanged.
//
// ec2.go and sts.go: EC2 (query protocol: form POST, XML answers with the
// element names the SDK's deserializers read, nextToken pages honouring
// MaxResults, errors as <Response><Errors><Error>) and STS
// (GetCallerIdentity, AssumeRole) on one server, since both speak the
// query protocol; the service is told by the request's SigV4 scope.
// mutate.go: the two calls that change egress (AuthorizeSecurityGroupEgress,
// RevokeSecurityGroupEgress) with DryRun and EC2's error codes, and faults
// planned for the n-th call (FailNth).
package awstest

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// EC2 is an in-process EC2 and STS endpoint holding a model of the network
// inventory of several accounts and regions. Its methods may be called
// while it serves.
type EC2 struct {
	server // calls counted per IAM action ("ec2:DescribeVpcs")

	places  map[string]*Place // "account/region"
	keys    map[string]identity
	roles   map[string]bool
	regions []string
	denied  map[string]bool // "account/region/Action", region "*" for all
	pageCap int
	nKeys   int
	nth     []*nthFault // FailNth
	nRules  int         // rule ids handed out by AuthorizeSecurityGroupEgress
	before  func(action string)
}

// identity is who an access key id belongs to.
type identity struct {
	account, arn string
}

// Place is the inventory of one account and region. Tests fill it before
// the calls and may read it afterwards; the server answers from it.
type Place struct {
	SecurityGroups     []types.SecurityGroup
	SecurityGroupRules []types.SecurityGroupRule
	NetworkInterfaces  []types.NetworkInterface
	NetworkAcls        []types.NetworkAcl
	Subnets            []types.Subnet
	Vpcs               []types.Vpc
	PrefixLists        []types.ManagedPrefixList
	// Entries holds each managed prefix list's entries by list id.
	Entries map[string][]types.PrefixListEntry
}

// NewEC2 starts a server, closed when the test ends. Its enabled regions
// are us-east-1 and eu-west-1 until SetRegions says otherwise.
func NewEC2(t testing.TB) *EC2 {
	s := &EC2{places: map[string]*Place{}, keys: map[string]identity{}, roles: map[string]bool{},
		regions: []string{"eu-west-1", "us-east-1"}, denied: map[string]bool{}}
	s.start(t, s.serve)
	return s
}

// AddCredentials makes accessKeyID a principal of account: calls signed
// with it read that account's places.
func (s *EC2) AddCredentials(accessKeyID, account string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys[accessKeyID] = identity{account: account, arn: "arn:aws:iam::" + account + ":user/walls-test"}
}

// AddRole lets any known principal assume roleARN
// (arn:aws:iam::ACCOUNT:role/NAME); the credentials AssumeRole returns read
// ACCOUNT's places.
func (s *EC2) AddRole(roleARN string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.roles[roleARN] = true
}

// Place returns the inventory of account and region, created empty on
// first use.
func (s *EC2) Place(account, region string) *Place {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := account + "/" + region
	if s.places[k] == nil {
		s.places[k] = &Place{Entries: map[string][]types.PrefixListEntry{}}
	}
	return s.places[k]
}

// SetRegions sets the regions DescribeRegions lists as enabled.
func (s *EC2) SetRegions(regions ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.regions = append([]string(nil), regions...)
}

// Deny makes action (an EC2 operation such as "DescribeNetworkAcls")
// answer UnauthorizedOperation (403) in account and region; region "" means
// every region.
func (s *EC2) Deny(account, region, action string) {
	if region == "" {
		region = "*"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.denied[account+"/"+region+"/"+action] = true
}

// Fail makes the next n calls of action (any account and region) fail
// with status: 503 answers RequestLimitExceeded (EC2's throttling), any
// other status InternalError. The SDK retries both.
func (s *EC2) Fail(action string, status, n int) {
	s.addFault(action, n, status, "")
}

// BeforeEach makes the server call f with each request's action before
// serving it (outside its lock, so f may call the server's methods or
// wait); nil removes it.
func (s *EC2) BeforeEach(f func(action string)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.before = f
}

// PageCap makes every page hold at most n items whatever MaxResults asks
// (EC2 may return fewer items than asked); 0 removes the cap.
func (s *EC2) PageCap(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pageCap = n
}

// Calls returns how many requests the server answered per IAM action
// ("ec2:DescribeVpcs", "sts:AssumeRole"), faults and refusals included.
func (s *EC2) Calls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.calls))
	for k, v := range s.calls {
		out[k] = v
	}
	return out
}

// Actions returns the sorted IAM actions the server was asked for.
func (s *EC2) Actions() []string {
	calls := s.Calls()
	out := make([]string, 0, len(calls))
	for k := range calls {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// pageLimits are the MaxResults ranges EC2 accepts per operation.
var pageLimits = map[string][2]int{
	"DescribeSecurityGroups":      {5, 1000},
	"DescribeSecurityGroupRules":  {5, 1000},
	"DescribeNetworkInterfaces":   {5, 1000},
	"DescribeNetworkAcls":         {5, 100},
	"DescribeSubnets":             {5, 1000},
	"DescribeVpcs":                {5, 1000},
	"DescribeManagedPrefixLists":  {1, 100},
	"GetManagedPrefixListEntries": {1, 100},
}

func (s *EC2) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "query protocol: POST expected", http.StatusMethodNotAllowed)
		return
	}
	if err := r.ParseForm(); err != nil {
		ec2Error(w, http.StatusBadRequest, "InvalidParameterValue", err.Error())
		return
	}
	action := r.PostForm.Get("Action")
	akid, region, service := SigV4Scope(r)
	s.mu.Lock()
	before := s.before
	s.mu.Unlock()
	if before != nil {
		before(action)
	}
	s.mu.Lock()
	s.calls[service+":"+action]++
	var fault int
	if f := s.takeFault(action); f != nil {
		fault = f.status
	}
	nth := s.nthFaultFor(action)
	id, known := s.keys[akid]
	s.mu.Unlock()
	var dropAnswer bool
	if nth != nil && service == "ec2" {
		if nth.code != dropCode {
			ec2Error(w, nth.status, nth.code, nth.msg)
			return
		}
		dropAnswer = true
	}
	if service == "sts" {
		s.serveSTS(w, r, action, id, known, fault)
		return
	}
	if service != "ec2" {
		http.Error(w, "service "+service+" is not served here", http.StatusNotFound)
		return
	}
	if ec2Dialect.refuse(w, fault, known) {
		return
	}
	s.mu.Lock()
	refused := s.denied[id.account+"/"+region+"/"+action] || s.denied[id.account+"/*/"+action]
	place := s.places[id.account+"/"+region]
	regions := append([]string(nil), s.regions...)
	pageCap := s.pageCap
	s.mu.Unlock()
	if refused {
		ec2Error(w, http.StatusForbidden, "UnauthorizedOperation", "You are not authorized to perform this operation.")
		return
	}
	if place == nil {
		place = &Place{}
	}
	if action == "DescribeRegions" {
		var b xmlBuf
		b.open("regionInfo")
		for _, name := range regions {
			b.open("item")
			b.text("regionName", name)
			b.text("regionEndpoint", "ec2."+name+".amazonaws.com")
			b.text("optInStatus", "opt-in-not-required")
			b.close("item")
		}
		b.close("regionInfo")
		writeEC2(w, action, b.Bytes())
		return
	}
	if mutating[action] {
		if dropAnswer {
			s.serveMutation(&discard{h: http.Header{}}, r.PostForm, action, id.account+"/"+region)
			drop(w)
			return
		}
		s.serveMutation(w, r.PostForm, action, id.account+"/"+region)
		return
	}
	lim, ok := pageLimits[action]
	if !ok {
		ec2Error(w, http.StatusBadRequest, "InvalidAction", "The action "+action+" is not valid for this web service.")
		return
	}
	size := -1
	if v := r.PostForm.Get("MaxResults"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < lim[0] || n > lim[1] {
			ec2Error(w, http.StatusBadRequest, "InvalidParameterValue", fmt.Sprintf("Value ( %s ) for parameter maxResults is invalid. Expecting a value between %d and %d.", v, lim[0], lim[1]))
			return
		}
		size = n
	}
	if pageCap > 0 && (size < 0 || size > pageCap) {
		size = pageCap
	}
	start := 0
	if tok := r.PostForm.Get("NextToken"); tok != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(tok, "page-"))
		if !strings.HasPrefix(tok, "page-") || err != nil || n < 0 {
			ec2Error(w, http.StatusBadRequest, "InvalidNextToken", "The specified token "+tok+" is invalid.")
			return
		}
		start = n
	}
	var b xmlBuf
	var total int
	s.mu.Lock()
	snap := *place // slice headers: tests append between calls, never edit in place
	s.mu.Unlock()
	place = &snap
	switch action {
	case "DescribeSecurityGroups":
		total = encodePage(&b, "securityGroupInfo", place.SecurityGroups, start, size, encodeSG)
	case "DescribeSecurityGroupRules":
		total = encodePage(&b, "securityGroupRuleSet", place.SecurityGroupRules, start, size, encodeSGRule)
	case "DescribeNetworkInterfaces":
		total = encodePage(&b, "networkInterfaceSet", place.NetworkInterfaces, start, size, encodeENI)
	case "DescribeNetworkAcls":
		total = encodePage(&b, "networkAclSet", place.NetworkAcls, start, size, encodeNACL)
	case "DescribeSubnets":
		total = encodePage(&b, "subnetSet", place.Subnets, start, size, encodeSubnet)
	case "DescribeVpcs":
		total = encodePage(&b, "vpcSet", place.Vpcs, start, size, encodeVPC)
	case "DescribeManagedPrefixLists":
		total = encodePage(&b, "prefixListSet", place.PrefixLists, start, size, encodePrefixList)
	case "GetManagedPrefixListEntries":
		id := r.PostForm.Get("PrefixListId")
		s.mu.Lock()
		entries, ok := place.Entries[id]
		s.mu.Unlock()
		if !ok {
			ec2Error(w, http.StatusBadRequest, "InvalidPrefixListID.NotFound", "The prefix list ID '"+id+"' does not exist")
			return
		}
		total = encodePage(&b, "entrySet", entries, start, size, func(b *xmlBuf, e *types.PrefixListEntry) {
			b.str("cidr", e.Cidr)
			b.str("description", e.Description)
		})
	}
	if size >= 0 && start+size < total {
		b.text("nextToken", "page-"+strconv.Itoa(start+size))
	}
	writeEC2(w, action, b.Bytes())
}

// encodePage writes items[start:start+size] (all from start when size
// is negative) as a wrapped list, and returns len(items).
func encodePage[T any](b *xmlBuf, wrapper string, items []T, start, size int, enc func(*xmlBuf, *T)) int {
	end := len(items)
	if size >= 0 && start+size < end {
		end = start + size
	}
	b.open(wrapper)
	encodeItems(b, items[min(start, len(items)):end], enc)
	b.close(wrapper)
	return len(items)
}

// writeEC2 writes action's result; ec2Error EC2's error document.
var (
	writeEC2 = ec2Dialect.result
	ec2Error = ec2Dialect.error
)

// xmlBuf builds XML text.
type xmlBuf struct{ bytes.Buffer }

func (b *xmlBuf) raw(s string)   { b.WriteString(s) }
func (b *xmlBuf) open(n string)  { b.WriteString("<" + n + ">") }
func (b *xmlBuf) close(n string) { b.WriteString("</" + n + ">") }

func (b *xmlBuf) text(n, v string) {
	b.open(n)
	xml.EscapeText(b, []byte(v))
	b.close(n)
}

func (b *xmlBuf) str(n string, v *string) {
	if v != nil {
		b.text(n, *v)
	}
}

func (b *xmlBuf) enum(n string, v string) {
	if v != "" {
		b.text(n, v)
	}
}

func (b *xmlBuf) i32(n string, v *int32) {
	if v != nil {
		b.text(n, strconv.Itoa(int(*v)))
	}
}

func (b *xmlBuf) bool(n string, v *bool) {
	if v != nil {
		b.text(n, strconv.FormatBool(*v))
	}
}

// list writes a list member: <n><item>…</item>…</n>, nothing for nil.
func list[T any](b *xmlBuf, n string, items []T, enc func(*xmlBuf, *T)) {
	if items == nil {
		return
	}
	b.open(n)
	encodeItems(b, items, enc)
	b.close(n)
}

// encodeItems writes each of items as <item>…</item>.
func encodeItems[T any](b *xmlBuf, items []T, enc func(*xmlBuf, *T)) {
	for i := range items {
		b.open("item")
		enc(b, &items[i])
		b.close("item")
	}
}

func encodeTag(b *xmlBuf, t *types.Tag) {
	b.str("key", t.Key)
	b.str("value", t.Value)
}

func encodePermission(b *xmlBuf, p *types.IpPermission) {
	b.str("ipProtocol", p.IpProtocol)
	b.i32("fromPort", p.FromPort)
	b.i32("toPort", p.ToPort)
	list(b, "groups", p.UserIdGroupPairs, func(b *xmlBuf, g *types.UserIdGroupPair) {
		b.str("userId", g.UserId)
		b.str("groupId", g.GroupId)
		b.str("groupName", g.GroupName)
		b.str("vpcId", g.VpcId)
		b.str("vpcPeeringConnectionId", g.VpcPeeringConnectionId)
		b.str("peeringStatus", g.PeeringStatus)
		b.str("description", g.Description)
	})
	list(b, "ipRanges", p.IpRanges, func(b *xmlBuf, r *types.IpRange) {
		b.str("cidrIp", r.CidrIp)
		b.str("description", r.Description)
	})
	list(b, "ipv6Ranges", p.Ipv6Ranges, func(b *xmlBuf, r *types.Ipv6Range) {
		b.str("cidrIpv6", r.CidrIpv6)
		b.str("description", r.Description)
	})
	list(b, "prefixListIds", p.PrefixListIds, func(b *xmlBuf, r *types.PrefixListId) {
		b.str("prefixListId", r.PrefixListId)
		b.str("description", r.Description)
	})
}

func encodeSG(b *xmlBuf, g *types.SecurityGroup) {
	b.str("ownerId", g.OwnerId)
	b.str("groupId", g.GroupId)
	b.str("groupName", g.GroupName)
	b.str("groupDescription", g.Description)
	b.str("vpcId", g.VpcId)
	b.str("securityGroupArn", g.SecurityGroupArn)
	list(b, "ipPermissions", g.IpPermissions, encodePermission)
	list(b, "ipPermissionsEgress", g.IpPermissionsEgress, encodePermission)
	list(b, "tagSet", g.Tags, encodeTag)
}

func encodeSGRule(b *xmlBuf, r *types.SecurityGroupRule) {
	b.str("securityGroupRuleId", r.SecurityGroupRuleId)
	b.str("groupId", r.GroupId)
	b.str("groupOwnerId", r.GroupOwnerId)
	b.bool("isEgress", r.IsEgress)
	encodeRuleMatch(b, r)
	if g := r.ReferencedGroupInfo; g != nil {
		b.open("referencedGroupInfo")
		b.str("groupId", g.GroupId)
		b.str("userId", g.UserId)
		b.str("vpcId", g.VpcId)
		b.str("vpcPeeringConnectionId", g.VpcPeeringConnectionId)
		b.str("peeringStatus", g.PeeringStatus)
		b.close("referencedGroupInfo")
	}
	b.str("description", r.Description)
	list(b, "tagSet", r.Tags, encodeTag)
}

// encodeRuleMatch writes what a rule matches but a referenced group: the
// protocol, the ports and a CIDR or prefix-list peer.
func encodeRuleMatch(b *xmlBuf, r *types.SecurityGroupRule) {
	b.str("ipProtocol", r.IpProtocol)
	b.i32("fromPort", r.FromPort)
	b.i32("toPort", r.ToPort)
	b.str("cidrIpv4", r.CidrIpv4)
	b.str("cidrIpv6", r.CidrIpv6)
	b.str("prefixListId", r.PrefixListId)
}

func encodeENIAssociation(b *xmlBuf, a *types.NetworkInterfaceAssociation) {
	if a == nil {
		return
	}
	b.open("association")
	b.str("publicIp", a.PublicIp)
	b.str("ipOwnerId", a.IpOwnerId)
	b.str("allocationId", a.AllocationId)
	b.str("associationId", a.AssociationId)
	b.close("association")
}

func encodeENI(b *xmlBuf, e *types.NetworkInterface) {
	b.str("networkInterfaceId", e.NetworkInterfaceId)
	b.str("subnetId", e.SubnetId)
	b.str("vpcId", e.VpcId)
	b.str("availabilityZone", e.AvailabilityZone)
	b.str("description", e.Description)
	b.str("ownerId", e.OwnerId)
	b.bool("requesterManaged", e.RequesterManaged)
	b.enum("status", string(e.Status))
	b.enum("interfaceType", string(e.InterfaceType))
	b.str("privateIpAddress", e.PrivateIpAddress)
	list(b, "groupSet", e.Groups, func(b *xmlBuf, g *types.GroupIdentifier) {
		b.str("groupId", g.GroupId)
		b.str("groupName", g.GroupName)
	})
	if a := e.Attachment; a != nil {
		b.open("attachment")
		b.str("attachmentId", a.AttachmentId)
		b.str("instanceId", a.InstanceId)
		b.i32("deviceIndex", a.DeviceIndex)
		b.enum("status", string(a.Status))
		b.close("attachment")
	}
	encodeENIAssociation(b, e.Association)
	list(b, "privateIpAddressesSet", e.PrivateIpAddresses, func(b *xmlBuf, p *types.NetworkInterfacePrivateIpAddress) {
		b.str("privateIpAddress", p.PrivateIpAddress)
		b.bool("primary", p.Primary)
		encodeENIAssociation(b, p.Association)
	})
	list(b, "ipv6AddressesSet", e.Ipv6Addresses, func(b *xmlBuf, a *types.NetworkInterfaceIpv6Address) {
		b.str("ipv6Address", a.Ipv6Address)
	})
	list(b, "ipv4PrefixSet", e.Ipv4Prefixes, func(b *xmlBuf, p *types.Ipv4PrefixSpecification) {
		b.str("ipv4Prefix", p.Ipv4Prefix)
	})
	list(b, "ipv6PrefixSet", e.Ipv6Prefixes, func(b *xmlBuf, p *types.Ipv6PrefixSpecification) {
		b.str("ipv6Prefix", p.Ipv6Prefix)
	})
	list(b, "tagSet", e.TagSet, encodeTag)
}

func encodeNACL(b *xmlBuf, n *types.NetworkAcl) {
	b.str("networkAclId", n.NetworkAclId)
	b.str("vpcId", n.VpcId)
	b.str("ownerId", n.OwnerId)
	b.bool("default", n.IsDefault)
	list(b, "entrySet", n.Entries, func(b *xmlBuf, e *types.NetworkAclEntry) {
		b.i32("ruleNumber", e.RuleNumber)
		b.str("protocol", e.Protocol)
		b.enum("ruleAction", string(e.RuleAction))
		b.bool("egress", e.Egress)
		b.str("cidrBlock", e.CidrBlock)
		b.str("ipv6CidrBlock", e.Ipv6CidrBlock)
		if c := e.IcmpTypeCode; c != nil {
			b.open("icmpTypeCode")
			b.i32("code", c.Code)
			b.i32("type", c.Type)
			b.close("icmpTypeCode")
		}
		if p := e.PortRange; p != nil {
			b.open("portRange")
			b.i32("from", p.From)
			b.i32("to", p.To)
			b.close("portRange")
		}
	})
	list(b, "associationSet", n.Associations, func(b *xmlBuf, a *types.NetworkAclAssociation) {
		b.str("networkAclAssociationId", a.NetworkAclAssociationId)
		b.str("networkAclId", a.NetworkAclId)
		b.str("subnetId", a.SubnetId)
	})
	list(b, "tagSet", n.Tags, encodeTag)
}

func encodeSubnet(b *xmlBuf, s *types.Subnet) {
	b.str("subnetId", s.SubnetId)
	b.enum("state", string(s.State))
	b.str("vpcId", s.VpcId)
	b.str("ownerId", s.OwnerId)
	b.str("cidrBlock", s.CidrBlock)
	b.str("availabilityZone", s.AvailabilityZone)
	b.bool("ipv6Native", s.Ipv6Native)
	list(b, "ipv6CidrBlockAssociationSet", s.Ipv6CidrBlockAssociationSet, func(b *xmlBuf, a *types.SubnetIpv6CidrBlockAssociation) {
		encodeCIDRAssociation(b, a.AssociationId, "ipv6CidrBlock", a.Ipv6CidrBlock, a.Ipv6CidrBlockState)
	})
	list(b, "tagSet", s.Tags, encodeTag)
}

func encodeVPC(b *xmlBuf, v *types.Vpc) {
	b.str("vpcId", v.VpcId)
	b.str("ownerId", v.OwnerId)
	b.enum("state", string(v.State))
	b.str("cidrBlock", v.CidrBlock)
	b.bool("isDefault", v.IsDefault)
	list(b, "cidrBlockAssociationSet", v.CidrBlockAssociationSet, func(b *xmlBuf, a *types.VpcCidrBlockAssociation) {
		encodeCIDRAssociation(b, a.AssociationId, "cidrBlock", a.CidrBlock, a.CidrBlockState)
	})
	list(b, "ipv6CidrBlockAssociationSet", v.Ipv6CidrBlockAssociationSet, func(b *xmlBuf, a *types.VpcIpv6CidrBlockAssociation) {
		encodeCIDRAssociation(b, a.AssociationId, "ipv6CidrBlock", a.Ipv6CidrBlock, a.Ipv6CidrBlockState)
	})
	list(b, "tagSet", v.Tags, encodeTag)
}

// encodeCIDRAssociation writes a VPC's or subnet's CIDR block
// association: its id, the block as element cidrName and the state
// (*types.VpcCidrBlockState or *types.SubnetCidrBlockState, nil when
// unknown) as element cidrName+"State".
func encodeCIDRAssociation(b *xmlBuf, id *string, cidrName string, cidr *string, state any) {
	b.str("associationId", id)
	b.str(cidrName, cidr)
	var code string
	switch st := state.(type) {
	case *types.VpcCidrBlockState:
		if st == nil {
			return
		}
		code = string(st.State)
	case *types.SubnetCidrBlockState:
		if st == nil {
			return
		}
		code = string(st.State)
	default:
		return
	}
	b.open(cidrName + "State")
	b.enum("state", code)
	b.close(cidrName + "State")
}

func encodePrefixList(b *xmlBuf, p *types.ManagedPrefixList) {
	b.str("prefixListId", p.PrefixListId)
	b.str("addressFamily", p.AddressFamily)
	b.enum("state", string(p.State))
	b.str("prefixListName", p.PrefixListName)
	b.i32("maxEntries", p.MaxEntries)
	if p.Version != nil {
		b.text("version", strconv.FormatInt(*p.Version, 10))
	}
	b.str("ownerId", p.OwnerId)
	list(b, "tagSet", p.Tags, encodeTag)
}
