using Harness.Diff.Normalise;

namespace Harness.Tests.Diff;

public class StackTraceFoldTests
{
    private static readonly string[] Original =
    [
        "Starting graphical debug",
        "PANIC: out of frames",
        "FILE: src/arch/x86_64/paging/mapper.rs",
        "LINE: 117",
        "TRACE: FFFFFF000009ECB0",
        "  FFFFFF000009ECB0: FFFFFF00001445CB",
        "    FFFFFF00001443A0+022B",
        "    _RNvCseulmdZsCeCG_7___rustc17rust_begin_unwind\0",
        "  FFFFFF000009EFF0: 00000000000087F4",
        "  0000000000000000: GUARD PAGE",
        "HALT",
    ];

    [Fact]
    public void A_stack_trace_folds_into_one_line_and_the_others_keep_their_numbers()
    {
        var folded = StackTraces.Fold(Original);
        Assert.Equal(
            [(1, "Starting graphical debug"), (2, "PANIC: out of frames"), (3, "FILE: src/arch/x86_64/paging/mapper.rs"),
             (4, "LINE: 117"), (5, StackTraces.Marker), (11, "HALT")],
            folded);
    }

    [Fact]
    public void Two_kernels_traces_of_different_depth_and_addresses_fold_alike_but_other_lines_still_differ()
    {
        string[] port =
        [
            "Starting graphical debug", "PANIC: out of frames", "FILE: src/arch/x86_64/paging/mapper.rs", "LINE: 117",
            "TRACE: FFFFFF000009E610", "  FFFFFF000009E610: FFFFFF0000102C41", "    Kernel_Kernel_Panic__Fail\0",
            " FFFFFF000009EFF0: EMPTY RETURN", "HALT",
        ];
        Assert.Equal(StackTraces.Fold(Original).Select(l => l.Text), StackTraces.Fold(port).Select(l => l.Text));

        port[3] = "LINE: 118";
        Assert.NotEqual(StackTraces.Fold(Original).Select(l => l.Text), StackTraces.Fold(port).Select(l => l.Text));
    }
}
