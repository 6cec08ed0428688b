; files: the initfs and debug schemes through every file syscall, with good and bad descriptors,
; missing paths and unknown schemes; directory listings of the initfs.
%include "lib.inc"
section .bss
buf:    resb 512
stat:   resb 128
section .text
global _start
_start:
        line "files: start"
        sys SYS_OPEN, p_hello, p_hello_len, O_RDONLY
        report "open(/etc/hello.txt)"
        mov r12, rax
        sys SYS_READ, r12, buf, 10
        report "read 10"
        call print_buf
        sys SYS_READ, r12, buf, 512
        report "read rest"
        call print_buf
        sys SYS_READ, r12, buf, 512
        report "read at end"
        sys SYS_LSEEK, r12, 6, SEEK_SET
        report "lseek(6, SET)"
        sys SYS_LSEEK, r12, 3, SEEK_CUR
        report "lseek(3, CUR)"
        sys SYS_LSEEK, r12, -5, SEEK_END
        report "lseek(-5, END)"
        sys SYS_LSEEK, r12, 1000, SEEK_SET
        report "lseek(1000, SET)"
        sys SYS_LSEEK, r12, -1000, SEEK_CUR
        report "lseek(-1000, CUR)"
        sys SYS_LSEEK, r12, 0, 7
        report "lseek(0, 7)"
        sys SYS_FSTAT, r12, stat, 128
        report "fstat"
        call print_stat
        sys SYS_FPATH, r12, buf, 512
        report "fpath"
        call print_buf
        sys SYS_FPATH, r12, buf, 4
        report "fpath(len 4)"
        call print_buf
        sys SYS_DUP, r12, 0, 0
        report "dup"
        mov r13, rax
        sys SYS_LSEEK, r13, 0, SEEK_CUR
        report "lseek(dup, 0, CUR)"
        sys SYS_DUP, r12, p_hello, 3
        report "dup with a path"
        sys SYS_DUP2, r12, 9, 0, 0
        report "dup2(fd, 9)"
        sys SYS_DUP2, r12, 9, 0, 0
        report "dup2(fd, 9) again"
        sys SYS_DUP2, 55, 10, 0, 0
        report "dup2(55, 10)"
        sys SYS_FCNTL, r12, F_GETFL, 0
        report "fcntl(F_GETFL)"
        call print_hex
        sys SYS_FCNTL, r12, F_SETFL, O_NONBLOCK
        report "fcntl(F_SETFL, O_NONBLOCK)"
        sys SYS_FCNTL, r12, F_GETFL, 0
        report "fcntl(F_GETFL)"
        call print_hex
        sys SYS_FCNTL, r12, F_GETFD, 0
        report "fcntl(F_GETFD)"
        sys SYS_FCNTL, r12, F_SETFD, 1
        report "fcntl(F_SETFD, 1)"
        sys SYS_FCNTL, r12, F_GETFD, 0
        report "fcntl(F_GETFD)"
        sys SYS_FCNTL, r12, F_DUPFD, 0
        report "fcntl(F_DUPFD)"
        sys SYS_FCNTL, r12, 99, 0
        report "fcntl(99)"
        sys SYS_FSYNC, r12
        report "fsync"
        sys SYS_FTRUNCATE, r12, 0
        report "ftruncate"
        sys SYS_FCHMOD, r12, 0o777
        report "fchmod"
        sys SYS_FCHOWN, r12, 0, 0
        report "fchown"
        sys SYS_FUTIMENS, r12, stat, 32
        report "futimens"
        sys SYS_FSTATVFS, r12, stat, 128
        report "fstatvfs"
        sys SYS_FRENAME, r12, p_new, p_new_len
        report "frename"
        sys SYS_FMAP, r12, 0, 4096
        report "fmap"
        sys SYS_FUNMAP, 0x1000
        report "funmap(0x1000)"
        sys SYS_FEVENT, r12, EVENT_READ
        report "fevent"
        sys SYS_WRITE, r12, p_hello, 3
        report "write to an initfs file"
        sys SYS_CLOSE, r13
        report "close(dup)"
        sys SYS_CLOSE, r13
        report "close(dup) again"
        sys SYS_READ, r13, buf, 4
        report "read(closed fd)"
        sys SYS_CLOSE, 9
        report "close(9)"

        ; bad descriptors
        sys SYS_READ, 100, buf, 4
        report "read(100)"
        sys SYS_WRITE, 100, buf, 4
        report "write(100)"
        sys SYS_LSEEK, 100, 0, 0
        report "lseek(100)"
        sys SYS_FSTAT, 100, stat, 128
        report "fstat(100)"
        sys SYS_CLOSE, 100
        report "close(100)"
        sys SYS_CLOSE, -1
        report "close(-1)"
        sys SYS_DUP, 100, 0, 0
        report "dup(100)"
        sys SYS_FCNTL, 100, F_GETFL, 0
        report "fcntl(100)"
        sys SYS_FEVENT, 100, 1
        report "fevent(100)"
        sys SYS_FRENAME, 100, p_new, p_new_len
        report "frename(100)"
        sys SYS_FPATH, 100, buf, 10
        report "fpath(100)"

        ; missing paths, unknown schemes, the path syscalls
        sys SYS_OPEN, p_missing, p_missing_len, O_RDONLY
        report "open(/missing)"
        sys SYS_OPEN, p_noscheme, p_noscheme_len, O_RDONLY
        report "open(nosuch:file)"
        sys SYS_OPEN, p_empty, 0, O_RDONLY
        report "open(empty path)"
        sys SYS_OPEN, p_utf, p_utf_len, O_RDONLY
        report "open(invalid utf-8)"
        sys SYS_OPEN, p_hello, p_hello_len, O_RDONLY | O_DIRECTORY
        report "open(/etc/hello.txt, O_DIRECTORY)"
        sys SYS_OPEN, p_hello, p_hello_len, O_WRONLY | O_CREAT
        report "open(/etc/hello.txt, O_WRONLY|O_CREAT)"
        mov r14, rax
        sys SYS_CLOSE, r14
        sys SYS_OPEN, p_rel, p_rel_len, O_RDONLY
        report "open(etc//hello.txt/, relative)"
        mov r14, rax
        sys SYS_FPATH, r14, buf, 512
        call print_buf
        sys SYS_CLOSE, r14
        sys SYS_CHMOD, p_hello, p_hello_len, 0o777
        report "chmod"
        sys SYS_RMDIR, p_etc, p_etc_len
        report "rmdir"
        sys SYS_UNLINK, p_hello, p_hello_len
        report "unlink"
        sys SYS_UNLINK, p_missing, p_missing_len
        report "unlink(missing)"

        ; directories: the listings build.rs writes
        mov rsi, p_root
        mov rdx, p_root_len
        call list
        mov rsi, p_binp
        mov rdx, p_binp_len
        call list
        mov rsi, p_etc
        mov rdx, p_etc_len
        call list

        ; debug: itself
        sys SYS_OPEN, p_debug, p_debug_len, O_WRONLY
        report "open(debug:)"
        mov r14, rax
        sys SYS_WRITE, r14, msg, msg_len
        report "write(debug:)"
        sys SYS_FPATH, r14, buf, 512
        report "fpath(debug:)"
        call print_buf
        sys SYS_FSTAT, r14, stat, 128
        report "fstat(debug:)"
        call print_stat
        sys SYS_FCNTL, r14, F_GETFL, 0
        report "fcntl(debug:, F_GETFL)"
        sys SYS_FSYNC, r14
        report "fsync(debug:)"
        sys SYS_FEVENT, r14, EVENT_READ
        report "fevent(debug:)"
        sys SYS_DUP, r14, p_hello, 2
        report "dup(debug:, path)"
        sys SYS_LSEEK, r14, 0, 0
        report "lseek(debug:)"
        sys SYS_CLOSE, r14
        report "close(debug:)"
        sys SYS_OPEN, p_debug, p_debug_len, O_RDONLY | O_NONBLOCK
        mov r14, rax
        sys SYS_READ, r14, buf, 16
        report "read(debug:, O_NONBLOCK)"
        sys SYS_CLOSE, r14
        line "files: end"
        qemu_exit 0

; list: rsi/rdx = a directory path; open, fstat, read and print its listing line by line
list:
        push r12
        push r13
        push r14
        mov r12, rsi
        mov r13, rdx
        sys SYS_OPEN, r12, r13, O_RDONLY
        mov r14, rax
        say "list '"
        mov rsi, r12
        mov rdx, r13
        call puts
        say "'"
        mov rax, r14
        report ""
        sys SYS_FSTAT, r14, stat, 128
        call print_stat
        sys SYS_READ, r14, buf, 512
        report "  read"
        call print_buf
        sys SYS_CLOSE, r14
        pop r14
        pop r13
        pop r12
        ret

; print_buf: rax bytes of buf, one "  | line" per line
print_buf:
        cmp rax, -4095
        jae .done
        push r12
        push r13
        lea r12, [buf]
        lea r13, [buf + rax]
.line:  cmp r12, r13
        jae .end
        say "  | "
        mov rsi, r12
.scan:  cmp r12, r13
        jae .emit
        cmp byte [r12], 10
        je .emit
        inc r12
        jmp .scan
.emit:  mov rdx, r12
        sub rdx, rsi
        call puts
        call newline
        inc r12
        jmp .line
.end:   pop r13
        pop r12
.done:  ret

print_hex:
        say "  hex "
        call puthex
        call newline
        ret

; print_stat: st_mode, st_uid, st_gid, st_size of the Stat in stat
print_stat:
        cmp rax, -4095
        jae .done
        push rax
        say "  mode "
        movzx eax, word [stat + 16]
        call puthex
        say " uid "
        mov eax, [stat + 24]
        call putdec
        say " gid "
        mov eax, [stat + 28]
        call putdec
        say " size "
        mov rax, [stat + 32]
        call putdec
        call newline
        pop rax
.done:  ret

section .rodata
p_hello: db "/etc/hello.txt"
p_hello_len equ $ - p_hello
p_new: db "/etc/new.txt"
p_new_len equ $ - p_new
p_missing: db "/missing"
p_missing_len equ $ - p_missing
p_noscheme: db "nosuch:file"
p_noscheme_len equ $ - p_noscheme
p_empty: db 0
p_utf: db "initfs:/", 0xFF, 0xFE
p_utf_len equ $ - p_utf
p_rel: db "etc//hello.txt/"
p_rel_len equ $ - p_rel
p_root: db "initfs:/"
p_root_len equ $ - p_root
p_binp: db "/bin"
p_binp_len equ $ - p_binp
p_etc: db "initfs:etc"
p_etc_len equ $ - p_etc
p_debug: db "debug:"
p_debug_len equ $ - p_debug
msg: db "files: a line written through a second debug: handle", 10
msg_len equ $ - msg
