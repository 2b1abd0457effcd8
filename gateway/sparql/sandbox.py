"""Take the network away from an engine process: no socket can ever be made in it.

pyoxigraph evaluates ``SERVICE <iri> { ... }`` by sending the pattern to ``iri`` over
HTTP, and offers no way to turn that off. The gateway's checks refuse SERVICE, but a
check is a reading of the text; the engine's own reading is what runs. So the engine
processes (``gateway.sparql.worker``) install a seccomp filter before they open a store:
``socket()`` (and ``io_uring_setup``, which can make sockets too) fails with EACCES, in
every thread of the process and every process it could start, for the rest of its life.
A SERVICE call then fails inside the engine, and nothing leaves the machine whatever the
text says.

The filter is a few classic-BPF instructions given to the kernel through ``ctypes``
(Linux 3.17 or later, x86-64 or AArch64), with ``PR_SET_NO_NEW_PRIVS`` set as the
kernel requires. libseccomp's Python bindings would do the same through a C library the
slim image may lack; these nine instructions are all the policy there is.
"""

from __future__ import annotations

import ctypes
import errno
import platform
import struct

PR_SET_NO_NEW_PRIVS = 38
SECCOMP_SET_MODE_FILTER = 1
SECCOMP_FILTER_FLAG_TSYNC = 1  # every thread of the process, not only the caller
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000
X32_SYSCALL_BIT = 0x40000000
# Classic BPF opcodes.
LOAD_WORD = 0x00 | 0x00 | 0x20  # BPF_LD | BPF_W | BPF_ABS
JUMP_IF_EQUAL = 0x05 | 0x10 | 0x00  # BPF_JMP | BPF_JEQ | BPF_K
JUMP_IF_AT_LEAST = 0x05 | 0x30 | 0x00  # BPF_JMP | BPF_JGE | BPF_K
RETURN = 0x06 | 0x00  # BPF_RET | BPF_K
# struct seccomp_data: the system call number at offset 0, the architecture at 4.
NR_OFFSET, ARCH_OFFSET = 0, 4


class SandboxUnavailable(OSError):
    """The filter could not be installed (another system, or a kernel that refuses it)."""


# machine → (AUDIT_ARCH_*, socket, io_uring_setup, seccomp) system call numbers
ARCHITECTURES = {
    "x86_64": (0xC000003E, 41, 425, 317),
    "aarch64": (0xC00000B7, 198, 425, 277),
}


def _instruction(code: int, k: int, if_true: int = 0, if_false: int = 0) -> bytes:
    return struct.pack("HBBI", code, if_true, if_false, k)


def network_filter(arch: int, socket_nr: int, io_uring_nr: int) -> list[bytes]:
    """The BPF program: refuse socket() and io_uring_setup(), and every call of another ABI."""
    refuse = SECCOMP_RET_ERRNO | errno.EACCES
    return [
        _instruction(LOAD_WORD, ARCH_OFFSET),
        _instruction(JUMP_IF_EQUAL, arch, 1, 0),
        _instruction(RETURN, refuse),  # a foreign ABI (i386 on x86-64): nothing of ours uses one
        _instruction(LOAD_WORD, NR_OFFSET),
        _instruction(JUMP_IF_AT_LEAST, X32_SYSCALL_BIT, 0, 1),
        _instruction(RETURN, refuse),  # the x32 numbering of the same calls
        _instruction(JUMP_IF_EQUAL, socket_nr, 2, 0),
        _instruction(JUMP_IF_EQUAL, io_uring_nr, 1, 0),
        _instruction(RETURN, SECCOMP_RET_ALLOW),
        _instruction(RETURN, refuse),
    ]


class _Program(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def forbid_network() -> None:
    """Install the filter in this process; ``SandboxUnavailable`` if that is impossible."""
    machine = platform.machine()
    if platform.system() != "Linux" or machine not in ARCHITECTURES:
        raise SandboxUnavailable(f"no network sandbox for {platform.system()} on {machine}")
    arch, socket_nr, io_uring_nr, seccomp_nr = ARCHITECTURES[machine]
    code = b"".join(network_filter(arch, socket_nr, io_uring_nr))
    buffer = ctypes.create_string_buffer(code, len(code))
    program = _Program(len(code) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise SandboxUnavailable(f"prctl(PR_SET_NO_NEW_PRIVS) failed: {errno.errorcode.get(ctypes.get_errno())}")
    if libc.syscall(seccomp_nr, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, ctypes.byref(program)) != 0:
        raise SandboxUnavailable(f"seccomp(SET_MODE_FILTER) failed: {errno.errorcode.get(ctypes.get_errno())}")
