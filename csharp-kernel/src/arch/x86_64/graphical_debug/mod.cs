using System.Runtime.CompilerServices;
using core.fmt;
using Kernel.arch.x86_64.debug;
using Kernel.arch.x86_64.graphical_debug.debug;
using Kernel.arch.x86_64.graphical_debug.display;
using Kernel.arch.x86_64.graphical_debug.mode_info;
using Kernel.arch.x86_64.graphical_debug.primitive;
using Kernel.arch.x86_64.paging;
using Kernel.arch.x86_64.paging.entry;
using Kernel.arch.x86_64.paging.mapper;
using Kernel.consts;
using Kernel.memory;
using spin;

namespace Kernel.arch.x86_64.graphical_debug
{
    /// <summary>`Option&lt;DebugDisplay&gt;`: the debug display, None until <see cref="GraphicalDebug.Init"/> and after <see cref="GraphicalDebug.Fini"/>.</summary>
    public struct DebugDisplaySlot
    {
        public bool is_some;
        public DebugDisplay value;
    }

    /// <summary>
    /// graphical_debug/mod.rs: while the kernel boots, everything printed is also drawn on the VBE
    /// linear framebuffer (the Writer of arch/x86_64/debug.cs writes to the display first, then to
    /// COM1).
    /// </summary>
    public static unsafe class GraphicalDebug
    {
        /// <summary>Where the loader leaves the VBE mode information block (physical).</summary>
        public const ulong MODE_INFO_ADDR = 0x5200;

        /// <summary>The 8x16 font: 256 glyphs of 16 bytes, one byte per char (generated from GNU Unifont, see res/README.md).</summary>
        public const string FONT = UnifontFont.DATA;

        /// <summary>`DEBUG_DISPLAY: Mutex&lt;Option&lt;DebugDisplay&gt;&gt;`, None at boot.</summary>
        public static Mutex<DebugDisplaySlot> DEBUG_DISPLAY;

        /// <summary>The flags of the mode information block's temporary mapping.</summary>
        public const EntryFlags MODE_INFO_FLAGS = EntryFlags.PRESENT | EntryFlags.NO_EXECUTE;

        /// <summary>
        /// The framebuffer's flags. QUIRK (kept): HUGE_PAGE on a 4 KiB entry is the PAT bit of a
        /// P1 entry: with WRITE_THROUGH and NO_CACHE clear it selects PAT entry 4, which paging::init
        /// made write-combining.
        /// </summary>
        public const EntryFlags FRAMEBUFFER_FLAGS = EntryFlags.PRESENT | EntryFlags.NO_EXECUTE | EntryFlags.WRITABLE | EntryFlags.HUGE_PAGE;

        /// <summary>
        /// Reads the VBE mode information through a temporary identity mapping of its page, maps the
        /// framebuffer at physbaseptr + KERNEL_OFFSET, clears it, and installs the debug display
        /// (whose offscreen buffer comes from the kernel heap).
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void Init(ref ActivePageTable active_table)
        {
            using (var w = Writer.New())
            {
                w.Str("Starting graphical debug\n");
            }

            ulong width;
            ulong height;
            ulong physbaseptr;

            {
                ulong mode_info_addr = MODE_INFO_ADDR;

                {
                    Page page = Page.ContainingAddress(new VirtualAddress(mode_info_addr));
                    Frame frame = Frame.ContainingAddress(new PhysicalAddress(page.StartAddress().Get()));
                    MapperFlush result = active_table.mapper.MapTo(page, frame, MODE_INFO_FLAGS);
                    result.Flush(ref active_table);
                }

                {
                    VBEModeInfo* mode_info = (VBEModeInfo*)mode_info_addr;

                    width = mode_info->xresolution;
                    height = mode_info->yresolution;
                    physbaseptr = mode_info->physbaseptr;
                }

                {
                    Page page = Page.ContainingAddress(new VirtualAddress(mode_info_addr));
                    MapperFlush result = active_table.mapper.UnmapReturn(page, false, out Frame _frame);
                    result.Flush(ref active_table);
                }
            }

            {
                ulong size = width * height;

                ulong onscreen = Onscreen(physbaseptr);
                {
                    MapperFlushAll flush_all = MapperFlushAll.New();
                    PageIter pages = OnscreenPages(onscreen, size);
                    while (pages.Next() is Page page)
                    {
                        Frame frame = Frame.ContainingAddress(new PhysicalAddress(page.StartAddress().Get() - Consts.KERNEL_OFFSET));
                        MapperFlush result = active_table.mapper.MapTo(page, frame, FRAMEBUFFER_FLAGS);
                        flush_all.Consume(result);
                    }
                    flush_all.Flush(ref active_table);
                }

                Primitive.FastSet64((ulong*)onscreen, 0, size / 2);

                Display display = Display.New(width, height, onscreen);
                DebugDisplay debug_display = DebugDisplay.New(display);
                using (var guard = DEBUG_DISPLAY.Lock())
                {
                    guard.Value.value = debug_display;
                    guard.Value.is_some = true;
                }
            }
        }

        /// <summary>
        /// Takes the debug display away, unmaps the framebuffer (the page tables that become empty
        /// are freed: two P1 frames at 1024x768, into the recycle list) and gives the offscreen buffer
        /// back to the heap. As in the original, DEBUG_DISPLAY stays locked until the display is dropped
        /// (a temporary of the `if let`).
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void Fini(ref ActivePageTable active_table)
        {
            using (var guard = DEBUG_DISPLAY.Lock())
            {
                if (guard.Value.is_some)
                {
                    DebugDisplay debug_display = guard.Value.value;
                    guard.Value.is_some = false;
                    guard.Value.value = default;

                    Display display = debug_display.IntoDisplay();
                    ulong onscreen = (ulong)display.onscreen;
                    ulong size = display.width * display.height;
                    {
                        MapperFlushAll flush_all = MapperFlushAll.New();
                        PageIter pages = OnscreenPages(onscreen, size);
                        while (pages.Next() is Page page)
                        {
                            MapperFlush result = active_table.mapper.UnmapReturn(page, false, out Frame _frame);
                            flush_all.Consume(result);
                        }
                        flush_all.Flush(ref active_table);
                    }

                    display.Drop();
                }
            }

            using (var w = Writer.New())
            {
                w.Str("Finished graphical debug\n");
            }
        }

        /// <summary>Where the framebuffer at <paramref name="physbaseptr"/> is mapped.</summary>
        public static ulong Onscreen(ulong physbaseptr) => physbaseptr + Consts.KERNEL_OFFSET;

        /// <summary>
        /// The pages init maps (and fini unmaps) for a framebuffer of <paramref name="size"/> pixels at
        /// <paramref name="onscreen"/>: from the first page through the page holding onscreen + size * 4.
        /// QUIRK (kept): the end is inclusive, so one page past the framebuffer's end is mapped too when
        /// the size is page-aligned (769 pages at 1024x768), and a 0x0 display (no VBE) still maps one
        /// page, KERNEL_OFFSET -> frame 0.
        /// </summary>
        public static PageIter OnscreenPages(ulong onscreen, ulong size)
        {
            Page start_page = Page.ContainingAddress(new VirtualAddress(onscreen));
            Page end_page = Page.ContainingAddress(new VirtualAddress(onscreen + size * 4));
            return Page.RangeInclusive(start_page, end_page);
        }
    }
}
