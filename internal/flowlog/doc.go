// Package flowlog turns VPC Flow Logs into observations: who initiated what,
// to where, for each network interface (issue #3; spec sections 3 and 4).
//
// The work is split in two stages so that the first can later move into
// Athena:
//
//  1. Parse: a zero-allocation reader turns each record (plain text in the
//     default or any custom format, gzip, Parquet) into a Record, and
//     reduces it to a small fact: which side sent it, what the record alone
//     says about who initiated (exact from tcp-flags, a port-class
//     heuristic, or undecided), and counts. Facts whose initiator is known
//     drop the initiator's ephemeral port, so the fact tables grow with
//     distinct observations, not with connections or input size.
//  2. Classify and aggregate (at merge time, once every worker is done):
//     the interface's own address comes from flow-direction, from the
//     inventory or from the address shared by all of its records;
//     undecided facts are resolved with what the whole data set taught
//     (the same 5-tuple's SYN, listening ports learned from SYN and SYN-ACK
//     records, the interface's SG ingress rules, fan-in, pairing), and
//     everything is summed into one Observation per (interface, direction,
//     protocol, service port, remote, accepted).
//
// Every step is commutative, so the result does not depend on file order or
// on the number of workers. DESIGN.md in this folder's testdata explains the
// trade-offs; the package comment of aggregate.go gives the memory bound.
package flowlog
