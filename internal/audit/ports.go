package audit

import "github.com/walls-dev/walls/internal/vpc"

// Port is one service port range that an audit check watches, with the
// reason it is watched. The lists below are data: the README's audit section
// documents them, and a change to them is a change to the checks' behaviour.
type Port struct {
	Name     string
	Protocol vpc.Protocol // tcp or udp
	From, To int32
	// Why says what an attacker does with the port open, in one phrase.
	Why string
	// Severity rates what the port carries, for WALLS-SG-003 (egress); 0
	// is the check's own severity. A finding takes the highest of its
	// ports'.
	Severity Severity
	// Advice is the remedy a finding on this port adds to its message.
	Advice string
}

// rated sets what a port carries on egress is worth.
func (p Port) rated(s Severity, advice string) Port {
	p.Severity, p.Advice = s, advice
	return p
}

// Label renders "SMTP 25/tcp" or "IRC 6660-6669/tcp".
func (p Port) Label() string {
	return p.Name + " " + vpc.PortText(p.Protocol, p.From, p.To) + "/" + p.Protocol.String()
}

func tcp(name string, from, to int32, why string) Port {
	return Port{Name: name, Protocol: vpc.ProtoTCP, From: from, To: to, Why: why}
}

func udp(name string, from, to int32, why string) Port {
	return Port{Name: name, Protocol: vpc.ProtoUDP, From: from, To: to, Why: why}
}

// DatabasePorts are the default ports of common database and cache servers.
// Open to the internet inbound they expose data to brute force and to
// unauthenticated defaults; open outbound they let an intruder copy data to a
// server of theirs with a client that blends in.
func DatabasePorts() []Port {
	return []Port{
		tcp("MS SQL", 1433, 1434, "database access"),
		udp("MS SQL browser", 1434, 1434, "database discovery"),
		tcp("Oracle", 1521, 1521, "database access"),
		tcp("Oracle SSL", 2484, 2484, "database access"),
		tcp("MySQL", 3306, 3306, "database access"),
		tcp("PostgreSQL", 5432, 5432, "database access"),
		tcp("CouchDB", 5984, 5984, "database access"),
		tcp("Redis", 6379, 6379, "unauthenticated by default; remote code execution"),
		tcp("Cassandra", 9042, 9042, "database access"),
		tcp("Elasticsearch", 9200, 9300, "unauthenticated by default"),
		tcp("Memcached", 11211, 11211, "unauthenticated; UDP amplification"),
		udp("Memcached", 11211, 11211, "unauthenticated; UDP amplification"),
		tcp("MongoDB", 27017, 27019, "unauthenticated by default in old versions"),
	}
}

// AdminPorts are remote administration and host-level service ports. From
// the internet they are the first thing scanners try (CIS AWS Foundations
// 5.2/5.3 name 22 and 3389).
func AdminPorts() []Port {
	return []Port{
		tcp("FTP", 20, 21, "cleartext credentials"),
		tcp("SSH", 22, 22, "remote shell; brute force"),
		tcp("Telnet", 23, 23, "cleartext remote shell"),
		tcp("MS RPC", 135, 135, "Windows remote management"),
		tcp("NetBIOS", 137, 139, "Windows file sharing"),
		udp("NetBIOS", 137, 139, "Windows file sharing"),
		tcp("SMB", 445, 445, "Windows file sharing; wormable exploits"),
		tcp("NFS", 2049, 2049, "file system access"),
		tcp("Docker API", 2375, 2376, "container host takeover"),
		tcp("RDP", 3389, 3389, "remote desktop; brute force"),
		udp("RDP", 3389, 3389, "remote desktop; brute force"),
		tcp("VNC", 5900, 5900, "remote desktop"),
		tcp("WinRM", 5985, 5986, "Windows remote shell"),
		tcp("Kubernetes API", 6443, 6443, "cluster control"),
		tcp("kubelet", 10250, 10250, "node takeover"),
	}
}

// EgressRiskyPorts are ports a workload rarely needs to open connections to
// on the internet, and an intruder often does: databases (exfiltration with an
// ordinary client), mail (spam, exfiltration), file sharing (credential
// leaks: an outbound SMB connection sends the NTLM hash), remote shells (a
// foothold for onward attacks), directory lookups (Log4Shell's LDAP
// callbacks), DNS to outside resolvers (tunnels; the VPC resolver needs no
// rule), and chat, proxy, anonymity, mining and common command-and-control
// ports.
func EgressRiskyPorts() []Port {
	ps := []Port{
		tcp("FTP", 20, 21, "cleartext file transfer; exfiltration").rated(Medium, "FTP is cleartext file transfer: prefer HTTPS mirrors"),
		tcp("SSH", 22, 22, "outbound shells and tunnels; onward attacks"),
		tcp("Telnet", 23, 23, "cleartext shells; IoT botnets"),
		tcp("SMTP", 25, 25, "spam and exfiltration by mail"),
		tcp("DNS", 53, 53, "DNS tunnels to outside resolvers; the VPC resolver needs no rule"),
		udp("DNS", 53, 53, "DNS tunnels to outside resolvers; the VPC resolver needs no rule"),
		udp("TFTP", 69, 69, "cleartext file transfer; payload download").rated(Medium, "TFTP is cleartext file transfer: prefer HTTPS"),
		tcp("NetBIOS", 137, 139, "credential leaks to outside file servers"),
		udp("NetBIOS", 137, 139, "credential leaks to outside file servers"),
		tcp("IRC", 194, 194, "botnet command and control"),
		tcp("LDAP", 389, 389, "JNDI callbacks (Log4Shell)"),
		tcp("SMB", 445, 445, "NTLM hash leaks; exfiltration"),
		tcp("LDAPS", 636, 636, "JNDI callbacks (Log4Shell)"),
		tcp("SOCKS", 1080, 1080, "proxying and tunnels"),
		tcp("LDAP (alt)", 1389, 1389, "JNDI callbacks (Log4Shell exploit kits)"),
		tcp("Stratum mining", 3333, 3333, "cryptocurrency mining pools"),
		tcp("RDP", 3389, 3389, "outbound remote desktop; onward attacks"),
		tcp("Metasploit", 4444, 4444, "default reverse-shell port"),
		tcp("VNC", 5900, 5900, "outbound remote desktop"),
		tcp("IRC", 6660, 6669, "botnet command and control"),
		tcp("IRC over TLS", 6697, 6697, "botnet command and control"),
		tcp("Tor", 9001, 9001, "anonymised exfiltration"),
		tcp("Tor", 9030, 9030, "anonymised exfiltration"),
		tcp("Tor SOCKS", 9050, 9051, "anonymised exfiltration"),
		tcp("Stratum mining", 14444, 14444, "cryptocurrency mining pools"),
		tcp("Back Orifice", 31337, 31337, "classic backdoor port"),
		tcp("Cobalt Strike", 50050, 50050, "team server default port"),
	}
	return append(ps, DatabasePorts()...)
}

// NACLAdminPorts are the remote administration ports CIS AWS Foundations
// 5.1 and Security Hub EC2.21 name for network ACLs. The list is shorter
// than AdminPorts on purpose: a network ACL that lets replies in on
// 1024-65535, as AWS recommends, opens many high administration ports, and
// the security groups are the place to close those.
func NACLAdminPorts() []Port {
	return []Port{
		tcp("SSH", 22, 22, "remote shell; brute force"),
		tcp("RDP", 3389, 3389, "remote desktop; brute force"),
		udp("RDP", 3389, 3389, "remote desktop; brute force"),
	}
}
