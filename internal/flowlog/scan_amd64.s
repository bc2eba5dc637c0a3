#include "textflag.h"

// func scanAVX2(data *byte, n int, base uint32, carry uint64, blanks, nls, dbls *uint32) (nb, nn, nd int, carryOut uint64)
//
// For each 64-byte block: the blank mask (bytes <= 0x20: min(x, 0x20) == x),
// the newline mask, and the doubled blanks (blank & (blank<<1 | carry)),
// each flattened into offsets. Blanks are written eight at a time without
// a branch per bit (entries past the count are garbage that the next
// block overwrites; the caller leaves room for them).
TEXT ·scanAVX2(SB), NOSPLIT, $0-88
	MOVQ data+0(FP), SI
	MOVQ n+8(FP), CX
	MOVL base+16(FP), R8
	MOVQ carry+24(FP), R9
	MOVQ blanks+32(FP), DI
	MOVQ nls+40(FP), R10
	MOVQ dbls+48(FP), R11
	ADDQ SI, CX
	MOVQ $0x2020202020202020, AX
	MOVQ AX, X6
	VPBROADCASTQ X6, Y6
	MOVQ $0x0a0a0a0a0a0a0a0a, AX
	MOVQ AX, X7
	VPBROADCASTQ X7, Y7

block:
	CMPQ SI, CX
	JAE  done
	PREFETCHT0 4096(SI) // a page ahead: the hardware prefetcher stops at page ends
	VMOVDQU (SI), Y0
	VMOVDQU 32(SI), Y1
	VPMINUB Y6, Y0, Y2
	VPCMPEQB Y0, Y2, Y2
	VPMINUB Y6, Y1, Y3
	VPCMPEQB Y1, Y3, Y3
	VPCMPEQB Y7, Y0, Y4
	VPCMPEQB Y7, Y1, Y5
	VPMOVMSKB Y2, AX
	VPMOVMSKB Y3, BX
	SHLQ $32, BX
	ORQ  BX, AX        // AX: blanks
	VPMOVMSKB Y4, BX
	VPMOVMSKB Y5, DX
	SHLQ $32, DX
	ORQ  DX, BX        // BX: newlines
	MOVQ AX, DX
	SHLQ $1, DX
	ORQ  R9, DX
	ANDQ AX, DX        // DX: doubled blanks
	MOVQ AX, R9
	SHRQ $63, R9       // carry into the next block

	// Blanks, eight at a time.
	POPCNTQ AX, R12
	LEAQ (DI)(R12*4), R12 // where the next block's blanks go
	TESTQ AX, AX
	JZ   newlines
eight:
	TZCNTQ AX, R13
	ADDL R8, R13
	MOVL R13, 0(DI)
	BLSRQ AX, AX
	TZCNTQ AX, R13
	ADDL R8, R13
	MOVL R13, 4(DI)
	BLSRQ AX, AX
	TZCNTQ AX, R13
	ADDL R8, R13
	MOVL R13, 8(DI)
	BLSRQ AX, AX
	TZCNTQ AX, R13
	ADDL R8, R13
	MOVL R13, 12(DI)
	BLSRQ AX, AX
	TZCNTQ AX, R13
	ADDL R8, R13
	MOVL R13, 16(DI)
	BLSRQ AX, AX
	TZCNTQ AX, R13
	ADDL R8, R13
	MOVL R13, 20(DI)
	BLSRQ AX, AX
	TZCNTQ AX, R13
	ADDL R8, R13
	MOVL R13, 24(DI)
	BLSRQ AX, AX
	TZCNTQ AX, R13
	ADDL R8, R13
	MOVL R13, 28(DI)
	BLSRQ AX, AX
	ADDQ $32, DI
	TESTQ AX, AX
	JNZ  eight
	MOVQ R12, DI

newlines:
	TESTQ BX, BX
	JZ   doubles
	TZCNTQ BX, R13
	ADDL R8, R13
	MOVL R13, (R10)
	ADDQ $4, R10
	BLSRQ BX, BX
	JMP  newlines

doubles:
	TESTQ DX, DX
	JZ   next
	TZCNTQ DX, R13
	ADDL R8, R13
	MOVL R13, (R11)
	ADDQ $4, R11
	BLSRQ DX, DX
	JMP  doubles

next:
	ADDQ $64, SI
	ADDL $64, R8
	JMP  block

done:
	VZEROUPPER
	SUBQ blanks+32(FP), DI
	SHRQ $2, DI
	MOVQ DI, nb+56(FP)
	SUBQ nls+40(FP), R10
	SHRQ $2, R10
	MOVQ R10, nn+64(FP)
	SUBQ dbls+48(FP), R11
	SHRQ $2, R11
	MOVQ R11, nd+72(FP)
	MOVQ R9, carryOut+80(FP)
	RET
