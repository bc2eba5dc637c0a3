package inventory

// Raw shapes of `aws ec2 describe-*` output (docs/semantics.md#inputs). Pointer fields let
// validation tell "absent" from "zero"; unknown members are ignored, as AWS
// adds members over time.

type rawTag struct {
	Key   *string `json:"Key"`
	Value *string `json:"Value"`
}

type rawIPRange struct {
	CidrIP      *string `json:"CidrIp"`
	Description string  `json:"Description"`
}

type rawIPv6Range struct {
	CidrIPv6    *string `json:"CidrIpv6"`
	Description string  `json:"Description"`
}

type rawPrefixListID struct {
	PrefixListID *string `json:"PrefixListId"`
	Description  string  `json:"Description"`
}

type rawGroupPair struct {
	GroupID                *string `json:"GroupId"`
	GroupName              string  `json:"GroupName"`
	UserID                 string  `json:"UserId"`
	VpcID                  string  `json:"VpcId"`
	VpcPeeringConnectionID string  `json:"VpcPeeringConnectionId"`
	PeeringStatus          string  `json:"PeeringStatus"`
	Description            string  `json:"Description"`
}

type rawPermission struct {
	IPProtocol       *string           `json:"IpProtocol"`
	FromPort         *int64            `json:"FromPort"`
	ToPort           *int64            `json:"ToPort"`
	IPRanges         []rawIPRange      `json:"IpRanges"`
	IPv6Ranges       []rawIPv6Range    `json:"Ipv6Ranges"`
	PrefixListIDs    []rawPrefixListID `json:"PrefixListIds"`
	UserIDGroupPairs []rawGroupPair    `json:"UserIdGroupPairs"`
}

type rawSecurityGroup struct {
	GroupID             *string         `json:"GroupId"`
	GroupName           string          `json:"GroupName"`
	Description         string          `json:"Description"`
	OwnerID             string          `json:"OwnerId"`
	VpcID               string          `json:"VpcId"`
	IPPermissions       []rawPermission `json:"IpPermissions"`
	IPPermissionsEgress []rawPermission `json:"IpPermissionsEgress"`
	Tags                []rawTag        `json:"Tags"`
}

type rawReferencedGroup struct {
	GroupID                *string `json:"GroupId"`
	UserID                 string  `json:"UserId"`
	VpcID                  string  `json:"VpcId"`
	VpcPeeringConnectionID string  `json:"VpcPeeringConnectionId"`
	PeeringStatus          string  `json:"PeeringStatus"`
}

type rawSecurityGroupRule struct {
	SecurityGroupRuleID *string             `json:"SecurityGroupRuleId"`
	GroupID             *string             `json:"GroupId"`
	GroupOwnerID        string              `json:"GroupOwnerId"`
	IsEgress            *bool               `json:"IsEgress"`
	IPProtocol          *string             `json:"IpProtocol"`
	FromPort            *int64              `json:"FromPort"`
	ToPort              *int64              `json:"ToPort"`
	CidrIPv4            *string             `json:"CidrIpv4"`
	CidrIPv6            *string             `json:"CidrIpv6"`
	PrefixListID        *string             `json:"PrefixListId"`
	ReferencedGroupInfo *rawReferencedGroup `json:"ReferencedGroupInfo"`
	Description         string              `json:"Description"`
}

type rawPortRange struct {
	From *int64 `json:"From"`
	To   *int64 `json:"To"`
}

type rawICMPTypeCode struct {
	Type *int64 `json:"Type"`
	Code *int64 `json:"Code"`
}

type rawNACLEntry struct {
	RuleNumber    *int64           `json:"RuleNumber"`
	Egress        *bool            `json:"Egress"`
	RuleAction    *string          `json:"RuleAction"`
	Protocol      *string          `json:"Protocol"`
	CidrBlock     *string          `json:"CidrBlock"`
	IPv6CidrBlock *string          `json:"Ipv6CidrBlock"`
	PortRange     *rawPortRange    `json:"PortRange"`
	ICMPTypeCode  *rawICMPTypeCode `json:"IcmpTypeCode"`
}

type rawNACLAssociation struct {
	SubnetID *string `json:"SubnetId"`
}

type rawNACL struct {
	NetworkACLID *string              `json:"NetworkAclId"`
	VpcID        string               `json:"VpcId"`
	OwnerID      string               `json:"OwnerId"`
	IsDefault    bool                 `json:"IsDefault"`
	Entries      []rawNACLEntry       `json:"Entries"`
	Associations []rawNACLAssociation `json:"Associations"`
	Tags         []rawTag             `json:"Tags"`
}

type rawAssociation struct {
	PublicIP *string `json:"PublicIp"`
}

type rawPrivateIP struct {
	PrivateIPAddress *string         `json:"PrivateIpAddress"`
	Primary          bool            `json:"Primary"`
	Association      *rawAssociation `json:"Association"`
}

type rawIPv6Address struct {
	IPv6Address *string `json:"Ipv6Address"`
}

type rawIPv4Prefix struct {
	IPv4Prefix *string `json:"Ipv4Prefix"`
}

type rawIPv6Prefix struct {
	IPv6Prefix *string `json:"Ipv6Prefix"`
}

type rawGroupIdentifier struct {
	GroupID *string `json:"GroupId"`
}

type rawAttachment struct {
	InstanceID  string `json:"InstanceId"`
	DeviceIndex int    `json:"DeviceIndex"`
}

type rawInterface struct {
	NetworkInterfaceID *string              `json:"NetworkInterfaceId"`
	InterfaceType      string               `json:"InterfaceType"`
	Status             string               `json:"Status"`
	Description        string               `json:"Description"`
	SubnetID           string               `json:"SubnetId"`
	VpcID              string               `json:"VpcId"`
	OwnerID            string               `json:"OwnerId"`
	AvailabilityZone   string               `json:"AvailabilityZone"`
	RequesterManaged   bool                 `json:"RequesterManaged"`
	Groups             []rawGroupIdentifier `json:"Groups"`
	PrivateIPAddress   *string              `json:"PrivateIpAddress"`
	PrivateIPAddresses []rawPrivateIP       `json:"PrivateIpAddresses"`
	IPv6Addresses      []rawIPv6Address     `json:"Ipv6Addresses"`
	IPv4Prefixes       []rawIPv4Prefix      `json:"Ipv4Prefixes"`
	IPv6Prefixes       []rawIPv6Prefix      `json:"Ipv6Prefixes"`
	Association        *rawAssociation      `json:"Association"`
	Attachment         *rawAttachment       `json:"Attachment"`
	TagSet             []rawTag             `json:"TagSet"`
}

type rawIPv6CidrAssociation struct {
	IPv6CidrBlock      *string `json:"Ipv6CidrBlock"`
	IPv6CidrBlockState *struct {
		State string `json:"State"`
	} `json:"Ipv6CidrBlockState"`
}

type rawCidrAssociation struct {
	CidrBlock      *string `json:"CidrBlock"`
	CidrBlockState *struct {
		State string `json:"State"`
	} `json:"CidrBlockState"`
}

type rawSubnet struct {
	SubnetID                    *string                  `json:"SubnetId"`
	VpcID                       *string                  `json:"VpcId"`
	OwnerID                     string                   `json:"OwnerId"`
	AvailabilityZone            string                   `json:"AvailabilityZone"`
	CidrBlock                   *string                  `json:"CidrBlock"`
	IPv6Native                  bool                     `json:"Ipv6Native"`
	IPv6CidrBlockAssociationSet []rawIPv6CidrAssociation `json:"Ipv6CidrBlockAssociationSet"`
	Tags                        []rawTag                 `json:"Tags"`
}

type rawVPC struct {
	VpcID                       *string                  `json:"VpcId"`
	OwnerID                     string                   `json:"OwnerId"`
	IsDefault                   bool                     `json:"IsDefault"`
	CidrBlock                   *string                  `json:"CidrBlock"`
	CidrBlockAssociationSet     []rawCidrAssociation     `json:"CidrBlockAssociationSet"`
	IPv6CidrBlockAssociationSet []rawIPv6CidrAssociation `json:"Ipv6CidrBlockAssociationSet"`
	Tags                        []rawTag                 `json:"Tags"`
}

type rawPrefixListEntry struct {
	Cidr        *string `json:"Cidr"`
	Description string  `json:"Description"`
}

type rawPrefixList struct {
	PrefixListID   *string              `json:"PrefixListId"`
	PrefixListName string               `json:"PrefixListName"`
	AddressFamily  string               `json:"AddressFamily"`
	OwnerID        string               `json:"OwnerId"`
	MaxEntries     *int64               `json:"MaxEntries"`
	Entries        []rawPrefixListEntry `json:"Entries"` // the shape `walls snapshot` writes
	Cidrs          []string             `json:"Cidrs"`   // older describe-prefix-lists shape
}

// knownKeys are the top-level keys that identify AWS CLI inventory output. A
// file may hold several of them (docs/semantics.md#walls-choices).
var knownKeys = map[string]bool{
	"SecurityGroups": true, "SecurityGroupRules": true, "NetworkInterfaces": true,
	"NetworkAcls": true, "Subnets": true, "Vpcs": true, "PrefixLists": true, "Entries": true,
}

// ignoredKeys are members of CLI output that carry no inventory.
var ignoredKeys = map[string]bool{"NextToken": true, "ResponseMetadata": true}

// element is one decoded array element with its place in the file.
type element[T any] struct {
	v    T
	path string // e.g. SecurityGroups[3]
	line int
	sp   span // where the element is in its file
}

// fileData is everything decoded from one AWS CLI JSON file.
type fileData struct {
	file        string
	groups      []element[rawSecurityGroup]
	rules       []element[rawSecurityGroupRule]
	interfaces  []element[rawInterface]
	nacls       []element[rawNACL]
	subnets     []element[rawSubnet]
	vpcs        []element[rawVPC]
	prefixLists []element[rawPrefixList]
	entries     []element[rawPrefixListEntry]
	hasEntries  bool
	unknownKeys []string
}
