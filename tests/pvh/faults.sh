#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# W^X, guard pages and the stack protector: each test kernel run provokes one
# fault, which must be reported (exception, error code, CR2, registers, a
# backtrace with symbol names) and end the VM with the platform's fault status.
. "$(dirname "$0")/pvhlib.sh"
require_kernel
FAULT=3 # TRAP_EXIT_FAULT
SMASH=4 # TRAP_EXIT_STACK

fault() {
	local test=$1 what=$2 frame=$3
	boot "$test" $FAULT "$KERNEL" --append "test=$test"
	log_has "$test" "reported as a page fault" 'EXCEPTION 14: #PF page fault'
	log_has "$test" "$what" "$4"
	log_has "$test" "registers printed" '^rax=[0-9a-f]{16} rbx='
	log_has "$test" "control registers printed" '^cr0=[0-9a-f]{16} cr2='
	log_has "$test" "backtrace names the faulting function" "^  0x[0-9a-f]{16} $frame\\+0x"
	log_has "$test" "backtrace reaches kmain" '^  0x[0-9a-f]{16} kmain\+0x'
}

fault fault-text "write to text refused" write_text \
	'protection violation, write.*|fault address \(cr2\): 0x[0-9a-f]+ in text'
fault fault-rodata "write to rodata refused" write_rodata \
	'fault address \(cr2\): 0x[0-9a-f]+ in rodata'
fault fault-exec-data "execution from data refused (NX)" '(tk_faults|kmain)' \
	'instruction fetch.*|rip is in data'
log_has fault-exec-data "rip is in data" 'rip is in data'
fault fault-exec-stack "execution from the stack refused (NX)" '(tk_faults|kmain)' \
	'rip is in main stack'
fault fault-null "NULL dereference faults (page zero unmapped)" read_null \
	'in page zero'
log_has fault-null "called a null pointer dereference" 'null pointer dereference'

boot stack-overflow $FAULT "$KERNEL" --append test=stack-overflow
log_has stack-overflow "overflow becomes a double fault on its own stack" 'EXCEPTION 8: #DF'
log_has stack-overflow "named as a stack overflow" 'stack overflow: cr2 .* stack guard page'
log_has stack-overflow "backtrace of the recursion" 'recurse\+0x'

boot smash $SMASH "$KERNEL" --append test=smash
log_has smash "canary overwrite reported" 'PANIC: stack smashing detected'
log_has smash "backtrace names the smashed function" '^  0x[0-9a-f]{16} smash\+0x'
finish
