; stage2.asm - stage two, loaded at 0x7E00. In order: the AP trampoline area,
; the AP entry, the kernel arguments, then the real-mode steps of a boot:
; A20, kernel load, memory map, video mode, FPU and SSE. The long-mode part
; and the GDT are in longmode.asm, the config block in config.asm.

; ---- 0x7E00: AP trampoline data (the kernel writes it; zero until then) -----
place_at STAGE2_ADDR
trampoline:
    times 512 db 0

; ---- 0x8000: where a start-up IPI with vector 0x08 begins -------------------
place_at AP_ENTRY_ADDR
ap_entry:
    jmp 0:ap_start              ; CS is 0x0800 here; continue with CS = 0

; ---- 0x804E: the packed arguments handed to the kernel in rdi ---------------
place_at ARGS_ADDR
kernel_args:
.kernel_base:   dq KERNEL_PHYS
.kernel_size:   dq 0
.stack_base:    dq 0
.stack_size:    dq 0
.env_base:      dq 0
.env_size:      dq 0

; ---- the boot processor's path ------------------------------------------------
stage2_main:
    mov eax, [CONFIG_ADDR + CFG_MAGIC]
    cmp eax, [config_magic_expected]
    jne bad_config
    mov eax, [CONFIG_ADDR + CFG_MAGIC + 4]
    cmp eax, [config_magic_expected + 4]
    jne bad_config
    cmp dword [CONFIG_ADDR + CFG_VERSION], CONFIG_VERSION
    jne bad_config

    mov eax, [CONFIG_ADDR + CFG_KERNEL_SIZE]
    mov [kernel_args.kernel_size], eax
    mov eax, [CONFIG_ADDR + CFG_KERNEL_SIZE + 4]
    mov [kernel_args.kernel_size + 4], eax

    call enable_a20
    call check_kernel_fits
    call load_kernel
    call build_memory_map
    test dword [CONFIG_ADDR + CFG_FLAGS], CFGF_VBE
    jz .video_done
    call set_video_mode
.video_done:
    call init_fpu
    call init_sse
    jmp enter_long_mode

bad_config:
    mov si, msg_bad_config
    call report_text
    mov bl, EXIT_BAD_CONFIG
    jmp report_exit

; enable_a20 - the "fast A20" gate of port 0x92 (bit 1); bit 0 would reset.
enable_a20:
    in al, 0x92
    or al, 2
    and al, 0xFE
    out 0x92, al
    ret

; check_kernel_fits - compare the sectors to load with the memory the BIOS
; reports above 1 MiB (int 15h ax=E801). If the BIOS does not answer, there is
; nothing to compare with and the load goes ahead.
check_kernel_fits:
    xor cx, cx
    xor dx, dx
    mov ax, 0xE801
    int 0x15
    jc .unknown
    jcxz .use_ax_bx             ; some BIOSes answer in ax/bx only
    mov ax, cx
    mov bx, dx
.use_ax_bx:
    movzx eax, ax               ; KiB between 1 MiB and 16 MiB
    cmp eax, 15 * 1024
    jb .compare                 ; a hole below 16 MiB: what is above does not join
    movzx ebx, bx               ; 64 KiB blocks above 16 MiB
    shl ebx, 6
    add eax, ebx
.compare:
    mov ebx, [CONFIG_ADDR + CFG_KERNEL_SECTORS]
    inc ebx
    shr ebx, 1                  ; KiB to load, rounded up
    cmp ebx, eax
    ja .too_big
.unknown:
    ret
.too_big:
    mov si, msg_too_big
    call report_text
    xchg eax, ebx
    call report_decimal
    mov si, msg_too_big_have
    call report_text
    mov eax, ebx
    call report_decimal
    mov si, msg_too_big_end
    call report_text
    mov bl, EXIT_KERNEL_TOO_BIG
    jmp report_exit

; enter_unreal - give ds and es a 4 GiB limit while staying in real mode, so
; that 32-bit offsets reach the memory above 1 MiB. The BIOS may run its own
; protected-mode code during a disk read, which resets the limits, so this is
; done again after every read.
enter_unreal:
    push eax
    push bx
    cli
    push ds
    push es
    o32 lgdt [unreal_gdtr]
    mov eax, cr0
    or al, CR0_PE
    mov cr0, eax
    jmp .flush
.flush:
    mov bx, unreal_gdt.flat_data
    mov ds, bx
    mov es, bx
    and al, ~CR0_PE
    mov cr0, eax
    pop es
    pop ds
    sti
    pop bx
    pop eax
    ret

; load_kernel - read the configured sectors to KERNEL_PHYS, BOUNCE_SECTORS at
; a time through the buffer at BOUNCE_ADDR.
load_kernel:
    mov eax, [CONFIG_ADDR + CFG_KERNEL_LBA]
    mov ecx, [CONFIG_ADDR + CFG_KERNEL_SECTORS]
    mov edi, KERNEL_PHYS
.chunk:
    test ecx, ecx
    jz .done
    mov ebx, BOUNCE_SECTORS
    cmp ecx, ebx
    jae .sized
    mov ebx, ecx
.sized:
    push ecx
    mov cx, bx
    mov dx, BOUNCE_SEG
    push bx
    xor bx, bx
    call read_sectors
    pop bx
    call enter_unreal
    mov esi, BOUNCE_ADDR
    mov ecx, ebx
    shl ecx, 7                  ; sectors * 512 / 4 dwords
    a32 rep movsd               ; edi moves on with the copy
    pop ecx
    add eax, ebx
    sub ecx, ebx
    jmp .chunk
.done:
    ret

; build_memory_map - clear 0x500..0x5000, then fill it either from the config
; block (explicit map) or from int 15h eax=E820, one 24-byte entry after the
; other. The BIOS loop ends when the call sets carry, when it returns
; continuation 0 (the entry it just stored is kept), or when the area is full.
build_memory_map:
    xor eax, eax
    mov di, E820_START
    mov ecx, (E820_END - E820_START) / 4
    rep stosd

    test dword [CONFIG_ADDR + CFG_FLAGS], CFGF_E820_EXPLICIT
    jnz .explicit

    mov di, E820_START
    xor ebx, ebx
.ask:
    mov edx, 0x534D4150         ; 'SMAP'
    mov eax, 0xE820
    mov ecx, E820_ENTRY_SIZE
    int 0x15
    jc .done
    test ebx, ebx
    jz .done
    add di, E820_ENTRY_SIZE
    cmp di, E820_END
    jb .ask
.done:
    ret

.explicit:
    mov eax, [CONFIG_ADDR + CFG_E820_COUNT]
    imul ecx, eax, E820_ENTRY_SIZE / 4
    mov si, CONFIG_ADDR + CFG_E820
    mov di, E820_START
    rep movsd
    ret

; set_video_mode - ask for the VBE card info at 0x5000; walk its mode list,
; reading each mode's info into 0x5200, and set the first mode of at least 32
; bits per pixel whose resolution is the configured one, with its linear
; framebuffer. The chosen mode's info stays at 0x5200. Without VBE, or when a
; mode info call fails, the boot goes on without a mode; when no mode matches,
; the loader stops with an error.
set_video_mode:
    mov ax, 0x4F00
    mov di, VBE_CARD_INFO
    int 0x10
    cmp ax, 0x004F
    jne .without_mode
    mov si, [VBE_MODE_LIST_OFF]
    mov ax, [VBE_MODE_LIST_SEG]
    mov fs, ax
.next_mode:
    mov cx, [fs:si]
    cmp cx, 0xFFFF
    je .no_match
    add si, 2
    mov [.mode], cx
    push si
    push fs
    mov ax, 0x4F01
    mov di, VBE_MODE_INFO
    int 0x10
    pop fs
    pop si
    cmp ax, 0x004F
    jne .without_mode
    cmp byte [VBE_MI_BPP], 32
    jb .next_mode
    mov ax, [VBE_MI_XRES]
    cmp ax, [CONFIG_ADDR + CFG_VBE_X]
    jne .next_mode
    mov ax, [VBE_MI_YRES]
    cmp ax, [CONFIG_ADDR + CFG_VBE_Y]
    jne .next_mode
    mov bx, [.mode]
    or bx, VBE_LINEAR_FB
    mov ax, 0x4F02
    int 0x10
.without_mode:
    ret
.no_match:
    mov si, msg_no_vbe
    call report_text
    movzx eax, word [CONFIG_ADDR + CFG_VBE_X]
    call report_decimal
    mov si, msg_times
    call report_text
    movzx eax, word [CONFIG_ADDR + CFG_VBE_Y]
    call report_decimal
    mov si, msg_no_vbe_end
    call report_text
    mov bl, EXIT_NO_VBE_MODE
    jmp report_exit
.mode: dw 0

; init_fpu - FPU on: no emulation, no task-switched trap, native error
; reporting, monitor coprocessor; FXSAVE allowed; reset the FPU state.
init_fpu:
    mov eax, cr0
    and al, ~(CR0_EM | CR0_TS)
    or al, CR0_MP | CR0_NE
    mov cr0, eax
    mov eax, cr4
    or eax, CR4_OSFXSR
    mov cr4, eax
    fninit
    ret

; init_sse - SSE on: FXSAVE and unmasked SIMD exceptions allowed.
init_sse:
    mov eax, cr4
    or eax, CR4_OSFXSR | CR4_OSXMMEXCPT
    mov cr4, eax
    ret

    align 8, db 0
unreal_gdt:
    dq 0
.flat_data equ $ - unreal_gdt
    dw 0xFFFF                   ; limit 15:0
    dw 0                        ; base 15:0
    db 0                        ; base 23:16
    db 0x92                     ; present, code/data, writable data
    db 0xCF                     ; 4 KiB granularity, 32-bit, limit 19:16
    db 0                        ; base 31:24
.end:
unreal_gdtr:
    dw unreal_gdt.end - unreal_gdt - 1
    dd unreal_gdt

config_magic_expected: db "HXLDRCFG"
msg_bad_config:   db "loader: config block missing or of another version", 0
msg_too_big:      db "loader: kernel too big: ", 0
msg_too_big_have: db " KiB to load at 1 MiB, BIOS reports ", 0
msg_too_big_end:  db " KiB of memory there", 0
msg_no_vbe:       db "loader: no VBE mode ", 0
msg_times:        db "x", 0
msg_no_vbe_end:   db "x32", 0
