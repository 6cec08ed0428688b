; boot.asm - sector 0. Sets up real-mode segments and a stack below 0x7C00,
; reads stage two with the int 13h extended read and jumps to it. It also holds
; the small routines stage two shares: the sector reader and the debugcon
; reporting used for every loader error (COM1 is never touched).

boot_entry:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, BOOT_ADDR
    jmp 0:.flat_cs              ; some BIOSes enter at 07C0:0000
.flat_cs:
    sti
    cld
    mov [boot_drive], dl

    mov eax, 1
    mov cx, STAGE2_SECTORS
    xor dx, dx
    mov bx, STAGE2_ADDR
    call read_sectors
    jmp stage2_main

; read_sectors - read cx sectors (1..127) starting at LBA eax into dx:bx.
; All registers are kept. A failed read is reported and ends the run.
read_sectors:
    pushad
    mov [disk_packet.count], cx
    mov [disk_packet.offset], bx
    mov [disk_packet.segment], dx
    mov [disk_packet.lba], eax
    mov si, disk_packet
    mov dl, [boot_drive]
    mov ah, 0x42
    int 0x13
    jc .failed
    popad
    ret
.failed:
    movzx ecx, ah               ; BIOS status code
    mov si, msg_disk_read
    call report_text
    mov eax, ecx
    call report_decimal
    mov si, msg_at_lba
    call report_text
    mov eax, [disk_packet.lba]
    call report_decimal
    mov bl, EXIT_DISK_READ
    jmp report_exit

; report_text - write the zero-terminated string at ds:si to the debugcon port.
report_text:
    push ax
    push si
.next:
    lodsb
    test al, al
    jz .end
    out PORT_DEBUGCON, al
    jmp .next
.end:
    pop si
    pop ax
    ret

; report_decimal - write eax as an unsigned decimal number to the debugcon port.
report_decimal:
    pushad
    mov ebx, 10
    xor cx, cx
.divide:
    xor edx, edx
    div ebx
    push dx
    inc cx
    test eax, eax
    jnz .divide
.emit:
    pop ax
    add al, '0'
    out PORT_DEBUGCON, al
    loop .emit
    popad
    ret

; report_exit - end the line and leave QEMU through isa-debug-exit with the
; value in bl. Without that device, stay halted.
report_exit:
    mov al, 10
    out PORT_DEBUGCON, al
    mov al, bl
    out PORT_DEBUG_EXIT, al
.stop:
    cli
    hlt
    jmp .stop

msg_disk_read:  db "loader: disk read error (int 13h status ", 0
msg_at_lba:     db ") at LBA ", 0

boot_drive:     db 0

    align 4, db 0
disk_packet:
    db 0x10                     ; packet size
    db 0
.count:   dw 0
.offset:  dw 0
.segment: dw 0
.lba:     dq 0

    times 510 - ($ - $$) db 0
    dw 0xAA55
