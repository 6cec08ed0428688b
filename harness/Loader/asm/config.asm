; config.asm - the config block at CONFIG_ADDR, the last part of stage two.
; Assembled with its magic and version and everything else zero; the image
; builder (DiskImageBuilder.cs) writes the fields. See layout.inc for offsets.

place_at CONFIG_ADDR
config_block:
    db "HXLDRCFG"
    dd CONFIG_VERSION
    times CONFIG_SIZE - ($ - config_block) db 0
stage2_end:
