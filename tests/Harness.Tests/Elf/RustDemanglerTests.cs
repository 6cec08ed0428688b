using Harness.Elf.Demangling;

namespace Harness.Tests.Elf;

/// <summary>
/// Rust demangling. Names from the reference observations (q35-2g-slot4m) and the expected
/// outputs of rustc-demangle's own test suite.
/// </summary>
public class RustDemanglerTests
{
    [Theory]
    // From the reference's serial log and observations.
    [InlineData("_RNvCseulmdZsCeCG_7___rustc17rust_begin_unwind", "__rustc::rust_begin_unwind")]
    [InlineData("_ZN6kernel14userspace_init17hbd36c48f5bf785e0E", "kernel::userspace_init")]
    [InlineData("_ZN6kernel4arch6x86_646paging4init17hb719c73a8f8ac8ffE", "kernel::arch::x86_64::paging::init")]
    [InlineData("_ZN6kernel4arch6x86_646paging5table14Table$LT$L$GT$17next_table_create17h9cdab5f8d245b63cE",
        "kernel::arch::x86_64::paging::table::Table<L>::next_table_create")]
    [InlineData("_ZN101_$LT$kernel..memory..recycle..RecycleAllocator$LT$T$GT$$u20$as$u20$kernel..memory..FrameAllocator$GT$15allocate_frames17h75978b6af340dfdaE",
        "<kernel::memory::recycle::RecycleAllocator<T> as kernel::memory::FrameAllocator>::allocate_frames")]
    // rustc-demangle's legacy tests.
    [InlineData("_ZN4testE", "test")]
    [InlineData("_ZN4test1a2bcE", "test::a::bc")]
    [InlineData("_ZN4$RP$E", ")")]
    [InlineData("_ZN8$RF$testE", "&test")]
    [InlineData("_ZN8$BP$test4foobE", "*test::foob")]
    [InlineData("_ZN9$u20$test4foobE", " test::foob")]
    [InlineData("_ZN35Bar$LT$$u5b$u32$u3b$$u20$4$u5d$$GT$E", "Bar<[u32; 4]>")]
    [InlineData("_ZN13_$LT$test$GT$E", "<test>")]
    [InlineData("_ZN28_$u7b$$u7b$closure$u7d$$u7d$E", "{{closure}}")]
    [InlineData("_ZN15__STATIC_FMTSTRE", "__STATIC_FMTSTR")]
    [InlineData("ZN13test$u20$test4foobE", "test test::foob")]
    [InlineData("_ZN3foo17h05af221e174051e9E", "foo")]
    [InlineData("_ZN3foo20h05af221e174051e9abcE", "foo")]
    [InlineData("_ZN17h05af221e174051e93fooE", "h05af221e174051e9::foo")]
    [InlineData("_ZN3foo17hg5af221e174051e9E", "foo::hg5af221e174051e9")]
    [InlineData("_ZN3fooE.llvm.9D1C9369", "foo")]
    [InlineData("_ZN3fooE.llvm.9D1C9369@@16", "foo")]
    [InlineData("__ZN4core5slice89_$LT$impl$u20$core..iter..traits..IntoIterator$u20$for$u20$$RF$$u27$a$u20$$u5b$T$u5d$$GT$9into_iter17h450e234d27262170E",
        "core::slice::<impl core::iter::traits::IntoIterator for &'a [T]>::into_iter")]
    // rustc-demangle's v0 tests.
    [InlineData("_RNvC6_123foo3bar", "123foo::bar")]
    [InlineData("_RC4f128", "f128")]
    [InlineData("_RNCNCNgCs6DXkGYLi8lr_2cc5spawn00B5_", "cc::spawn::{closure#0}::{closure#0}")]
    [InlineData("_RNCINkXs25_NgCsbmNqQUJIY6D_4core5sliceINyB9_4IterhENuNgNoBb_4iter8iterator8Iterator9rpositionNCNgNpB9_6memchr7memrchrs_0E0Bb_",
        "<core::slice::Iter<u8> as core::iter::iterator::Iterator>::rposition::<core::slice::memchr::memrchr::{closure#1}>::{closure#0}")]
    [InlineData("_RINbNbCskIICzLVDPPb_5alloc5alloc8box_freeDINbNiB4_5boxed5FnBoxuEp6OutputuEL_ECs1iopQbuBiw2_3std",
        "alloc::alloc::box_free::<dyn alloc::boxed::FnBox<(), Output = ()>>")]
    [InlineData("_RMC0INtC8arrayvec8ArrayVechKj7b_E", "<arrayvec::ArrayVec<u8, 123>>")]
    [InlineData("_RIC0Kb1_E", "::<true>")]
    [InlineData("_RIC0Kc76_E", "::<'v'>")]
    [InlineData("_RC3foo.llvm.9D1C9369", "foo")]
    [InlineData("_RNvC9backtrace3foo.llvm.A5310EB9", "backtrace::foo")]
    [InlineData("_RNvNtNtNtNtCs92dm3009vxr_4rand4rngs7adapter9reseeding4fork23FORK_HANDLER_REGISTERED.0.0",
        "rand::rngs::adapter::reseeding::fork::FORK_HANDLER_REGISTERED.0.0")]
    public void Display_names_drop_hashes_and_disambiguators(string mangled, string expected)
    {
        Assert.Equal(expected, RustDemangler.Demangle(mangled));
    }

    [Theory]
    // The form the reference observations print callers and observation points in.
    [InlineData("_RNvCseulmdZsCeCG_7___rustc17rust_begin_unwind", "__rustc[a8c46f2c900ea3c8]::rust_begin_unwind")]
    [InlineData("_ZN6kernel4arch6x86_646paging4init17hb719c73a8f8ac8ffE", "kernel::arch::x86_64::paging::init::hb719c73a8f8ac8ff")]
    [InlineData("_ZN101_$LT$kernel..memory..recycle..RecycleAllocator$LT$T$GT$$u20$as$u20$kernel..memory..FrameAllocator$GT$15allocate_frames17h75978b6af340dfdaE",
        "<kernel::memory::recycle::RecycleAllocator<T> as kernel::memory::FrameAllocator>::allocate_frames::h75978b6af340dfda")]
    [InlineData("_RC4f128", "f128")]
    [InlineData("_RIC0Kj7b_E", "::<123usize>")]
    public void Full_names_keep_hashes_and_disambiguators(string mangled, string expected)
    {
        Assert.Equal(expected, RustDemangler.Demangle(mangled, keepHash: true));
    }

    [Theory]
    [InlineData("Kernel_Kernel_Memory__AllocateFrames")] // NativeAOT
    [InlineData("kstart")]
    [InlineData("__text_start")]
    [InlineData("_ZN4test")]                              // no terminating E
    [InlineData("_ZN4testE$bad")]                         // not a compiler suffix
    [InlineData("_ZNK3foo3barEv")]                        // C++
    [InlineData("_RNqCs4fqI2P2rA04_11utf8_identsu30____7hkackfecea1cbdathfdh9hlq6y")] // punycode: not handled
    [InlineData("_RMC0WmORm1_m2_Rm5_m6_")]                // pattern types: not handled
    [InlineData("_R")]
    [InlineData("")]
    public void Other_names_are_left_as_they_are(string name)
    {
        Assert.Same(name, RustDemangler.Demangle(name));
        Assert.False(RustDemangler.IsRustSymbol(name));
    }

    [Fact]
    public void Runaway_back_references_fall_back_instead_of_looping()
    {
        Assert.Equal("_RNvB0_3foo", RustDemangler.Demangle("_RNvB0_3foo"));
        var deep = "_R" + string.Concat(Enumerable.Repeat("I", 2000)) + "C1x";
        Assert.Equal(deep, RustDemangler.Demangle(deep));
    }
}
