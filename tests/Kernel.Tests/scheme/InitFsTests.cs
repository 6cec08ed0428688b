#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Kernel.scheme.initfs;

namespace Kernel.Tests.scheme;

/// <summary>
/// The initfs as the original's build.rs embeds a folder (csharp-kernel/tools/initfs/GenerateInitFs.cs):
/// the listing, the order, the bytes, the directory flags; and Kernel.scheme.initfs.Gen generated from
/// tests/testdata/initfs-sample for this project (Kernel.Tests.csproj's InitFs).
/// </summary>
public class InitFsTests
{
    private static string Sample => Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "testdata", "initfs-sample");

    // What build.rs writes for tests/testdata/initfs-sample, worked out by hand from build.rs:
    // the folders sorted by path ("" first), each with its children's names sorted by byte and joined
    // by "\n", then the files sorted by path ('-' 0x2D < '.' 0x2E < '/' 0x2F; 'Z' < 'i').
    private static readonly (string Key, string Data, bool Dir)[] SampleExpected =
    {
        ("", ".hidden\na-b\na.b\nbin\netc", true),
        ("a-b", "empty", true),
        ("bin", "Zed\ninit", true),
        ("etc", "sub", true),
        ("etc/sub", "x.conf", true),
        (".hidden", "hidden", false),
        ("a-b/empty", "", false),
        ("a.b", "top", false),
        ("bin/Zed", "\u0000\u0001\u00FF\"\\bytes", false),
        ("bin/init", "init\n", false),
        ("etc/sub/x.conf", "conf", false),
    };

    private static string Latin1(byte[] b) => new string(b.Select(x => (char)x).ToArray());

    [Fact]
    public void Scan_gives_build_rs_insertion_order_listings_and_bytes()
    {
        var entries = InitFsListing.Scan(Sample);
        Assert.Equal(SampleExpected.Select(e => e.Key), entries.Select(e => e.Key));
        Assert.Equal(SampleExpected.Select(e => e.Data), entries.Select(e => Latin1(e.Data)));
        Assert.Equal(SampleExpected.Select(e => e.Dir), entries.Select(e => e.IsDir));
    }

    [Fact]
    public void Map_order_is_every_key_by_byte_value()
    {
        var keys = InitFsListing.MapOrder(InitFsListing.Scan(Sample)).Select(e => e.Key);
        Assert.Equal(new[] { "", ".hidden", "a-b", "a-b/empty", "a.b", "bin", "bin/Zed", "bin/init", "etc", "etc/sub", "etc/sub/x.conf" }, keys);
    }

    [Fact]
    public void Generated_Gen_holds_the_sample_as_Kernel_Tests_csproj_names_it()
    {
        Assert.Equal(Gen.COUNT, SampleExpected.Length);
        for (int i = 0; i < Gen.COUNT; i++)
        {
            Assert.Equal(SampleExpected[i].Key, Gen.Name(i));
            Assert.Equal(SampleExpected[i].Data, Gen.Data(i));
            Assert.Equal(SampleExpected[i].Dir, Gen.IsDir(i));
        }
        Assert.Null(Gen.Name(Gen.COUNT));
        Assert.Null(Gen.Data(-1));
        Assert.False(Gen.IsDir(Gen.COUNT));
        Assert.Equal(Gen.FINGERPRINT, "initfs-sha256:" + InitFsListing.Fingerprint(InitFsListing.Scan(Sample)));
    }

    [Fact]
    public void No_folder_is_an_empty_folder_the_root_alone()
    {
        var e = Assert.Single(InitFsListing.Empty());
        Assert.Equal("", e.Key);
        Assert.True(e.IsDir);
        Assert.Empty(e.Data);
        Assert.Empty(InitFsListing.None());
    }

    [Fact]
    public void Empty_directories_symlinks_and_a_trailing_slash()
    {
        string root = Temp();
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "empty"));
            Directory.CreateDirectory(Path.Combine(root, "real"));
            File.WriteAllText(Path.Combine(root, "real", "f"), "F");
            Directory.CreateSymbolicLink(Path.Combine(root, "link"), Path.Combine(root, "real"));
            File.CreateSymbolicLink(Path.Combine(root, "flink"), Path.Combine(root, "real", "f"));
            var entries = InitFsListing.Scan(root + "/");
            Assert.Equal(new[] { "", "empty", "link", "real", "flink", "link/f", "real/f" }, entries.Select(e => e.Key));
            Assert.Equal("empty\nflink\nlink\nreal", Latin1(entries[0].Data));
            Assert.Equal("", Latin1(entries[1].Data));
            Assert.True(entries[2].IsDir);                    // a link to a directory is followed (Path::is_dir)
            Assert.Equal("F", Latin1(entries[4].Data));       // a link to a file is read through
            Assert.Equal(InitFsListing.Fingerprint(entries), InitFsListing.Fingerprint(InitFsListing.Scan(root)));
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    [Theory]
    [InlineData("quo\"te", "'\"'")]
    [InlineData("back\\slash", "'\\'")]
    [InlineData("caf\u00e9", "non-ASCII")]
    [InlineData("tab\there", "control")]
    public void Names_build_rs_cannot_write_are_refused_with_the_reason(string name, string reason)
    {
        string root = Temp();
        try
        {
            File.WriteAllText(Path.Combine(root, name), "x");
            var e = Assert.Throws<InitFsException>(() => InitFsListing.Scan(root));
            Assert.Contains(name, e.Message);
            Assert.Contains(reason, e.Message);
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    [Fact]
    public void A_dangling_link_or_a_missing_folder_fails_clearly()
    {
        string root = Temp();
        try
        {
            File.CreateSymbolicLink(Path.Combine(root, "dangling"), Path.Combine(root, "nowhere"));
            var e = Assert.Throws<InitFsException>(() => InitFsListing.Scan(root));
            Assert.Contains("dangling", e.Message);
            var m = Assert.Throws<InitFsException>(() => InitFsListing.Scan(Path.Combine(root, "missing")));
            Assert.Contains("is not a folder", m.Message);
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    [Fact]
    public void Emit_writes_every_byte_value_as_one_char()
    {
        var all = new byte[256];
        for (int i = 0; i < 256; i++)
        {
            all[i] = (byte)i;
        }
        string code = InitFsListing.Emit(new List<InitFsEntry> { new() { Key = "k", Data = all, IsDir = false } }, "/f");
        Assert.Contains("public const int COUNT = 1;", code);
        Assert.Contains("\\u0000\\u0001", code);
        Assert.Contains("\\u0022", code);     // '"' escaped
        Assert.Contains("\\u005C", code);     // '\' escaped
        Assert.Contains("\\u00FF", code);
        Assert.Contains("case 0: return \"k\";", code);
    }

    private static string Temp()
    {
        string d = Path.Combine(Path.GetTempPath(), "initfs-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(d);
        return d;
    }
}
