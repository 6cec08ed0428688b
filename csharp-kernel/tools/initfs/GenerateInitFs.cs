// Embeds a folder as the port's initfs, the way the original's build.rs does from INITFS_FOLDER
// (kernel 0.3.5, build.rs: scan_folder / fill_from_location), and writes it as C# (Kernel.scheme.initfs.Gen,
// the twin of the generated `gen::gen()`). Used by initfs.targets (an MSBuild task, before the port is
// compiled) and by tests/Kernel.Tests (InitFsListing alone, compiled with INITFS_LISTING_ONLY).
//
// What build.rs does, and so what this does:
// - every directory of the tree (the folder itself included) is one entry: its key is its path below the
//   folder ("" for the folder, "bin", "bin/sub"), its data the names of its direct children (files and
//   directories, hidden ones too), sorted by byte value, joined by "\n" (no trailing newline; empty for
//   an empty directory), marked as a directory;
// - every file is one entry: its key is its path below the folder, its data the file's bytes;
// - directories are decided as Rust's Path::is_dir does: a symbolic link to a directory is a directory
//   (followed), any other entry is a file (a link to a file is read through; a dangling link fails the
//   build, as include_bytes! does);
// - gen() inserts the directories first, sorted by key, then the files, sorted by key, into a BTreeMap
//   keyed by the path bytes: the map's order (the one open() iterates) is all keys sorted by byte value.
//   Gen keeps the insertion order (entry i = the i-th insert), since a BTreeMap's node splits follow it.
// Names that build.rs cannot embed as written are refused with the reason: build.rs writes each name
// unescaped into a Rust byte-string literal b"...", so a name with a non-ASCII character (not allowed in
// b"..."), a '"' or a '\' (read as the literal's end or an escape) or a control character would not
// compile or would embed another name.
// The folder unset (no INITFS): an EMPTY folder, i.e. the one root entry "" (a directory with an empty
// listing). That is what the reference recordings booted (tools/original/build.sh passes an empty folder
// when INITFS_FOLDER is unset); build.rs itself without INITFS_FOLDER would give no entry at all, and
// userspace_init's chdir("initfs:") would fail: InitFsListing.None() is that case, not used by a build.
using System;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography;
using System.Text;
#if !INITFS_LISTING_ONLY
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
#endif

public sealed class InitFsEntry
{
    public string Key;      // path below the folder, '/'-separated, ASCII
    public byte[] Data;     // a file's bytes, or a directory's listing
    public bool IsDir;
    public string Source;   // the file or directory it was read from
}

public static class InitFsListing
{
    /// <summary>The entries of folder, in build.rs's insertion order (directories by key, then files by key).</summary>
    public static List<InitFsEntry> Scan(string folder)
    {
        string root = Path.GetFullPath(folder);
        if (!Directory.Exists(root))
        {
            throw new InitFsException(folder + " is not a folder");
        }
        root = root.TrimEnd('/');
        var dirs = new List<InitFsEntry>();
        var files = new List<InitFsEntry>();
        ScanDir(root, "", dirs, files, 0);
        dirs.Sort((a, b) => Ordinal(a.Key, b.Key));
        files.Sort((a, b) => Ordinal(a.Key, b.Key));
        var all = new List<InitFsEntry>(dirs);
        all.AddRange(files);
        return all;
    }

    static void ScanDir(string path, string key, List<InitFsEntry> dirs, List<InitFsEntry> files, int depth)
    {
        if (depth > 64)
        {
            throw new InitFsException(path + ": more than 64 nested folders (a symbolic link loop?); build.rs would recurse without end");
        }
        var names = new List<string>();
        foreach (string child in Directory.EnumerateFileSystemEntries(path))
        {
            string name = Path.GetFileName(child);
            CheckName(child, name);
            names.Add(name);
            string childKey = key.Length == 0 ? name : key + "/" + name;
            if (Directory.Exists(child))
            {
                ScanDir(child, childKey, dirs, files, depth + 1);
            }
            else
            {
                byte[] data;
                try
                {
                    data = File.ReadAllBytes(child);
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                    throw new InitFsException(child + ": cannot be read (" + e.Message + "); build.rs's include_bytes! would fail too");
                }
                files.Add(new InitFsEntry { Key = childKey, Data = data, IsDir = false, Source = child });
            }
        }
        names.Sort(Ordinal);
        dirs.Add(new InitFsEntry { Key = key, Data = Encoding.ASCII.GetBytes(string.Join("\n", names)), IsDir = true, Source = path });
    }

    static void CheckName(string path, string name)
    {
        foreach (char c in name)
        {
            if (c > 0x7E || c < 0x20)
            {
                throw new InitFsException(path + ": the name has a non-ASCII or control character; build.rs writes names into a Rust b\"...\" literal, which takes only ASCII");
            }
            if (c == '"' || c == '\\')
            {
                throw new InitFsException(path + ": the name has a '" + c + "'; build.rs writes names unescaped into a Rust b\"...\" literal, where it ends the literal or starts an escape");
            }
        }
    }

    /// <summary>The entries of an empty folder: the root alone (the default initfs, see above).</summary>
    public static List<InitFsEntry> Empty() =>
        new List<InitFsEntry> { new InitFsEntry { Key = "", Data = new byte[0], IsDir = true, Source = "(empty folder)" } };

    /// <summary>build.rs without INITFS_FOLDER: no entry at all.</summary>
    public static List<InitFsEntry> None() => new List<InitFsEntry>();

    /// <summary>Byte order of ASCII strings (Rust's ordering of &[u8] and String).</summary>
    public static int Ordinal(string a, string b) => string.CompareOrdinal(a, b);

    /// <summary>The entries in the BTreeMap's order (what the initfs scheme's open iterates).</summary>
    public static List<InitFsEntry> MapOrder(List<InitFsEntry> entries)
    {
        var sorted = new List<InitFsEntry>(entries);
        sorted.Sort((a, b) => Ordinal(a.Key, b.Key));
        return sorted;
    }

    /// <summary>sha256 over every entry in insertion order: key, 0, is_dir, data length (8 bytes LE), data.</summary>
    public static string Fingerprint(List<InitFsEntry> entries)
    {
        var all = new MemoryStream();
        foreach (var e in entries)
        {
            byte[] key = Encoding.ASCII.GetBytes(e.Key);
            all.Write(key, 0, key.Length);
            all.WriteByte(0);
            all.WriteByte(e.IsDir ? (byte)1 : (byte)0);
            all.Write(BitConverter.GetBytes((long)e.Data.Length), 0, 8);
            all.Write(e.Data, 0, e.Data.Length);
        }
        byte[] hash;
        using (var sha = SHA256.Create())
        {
            hash = sha.ComputeHash(all.ToArray());
        }
        var hex = new StringBuilder();
        foreach (byte b in hash)
        {
            hex.Append(b.ToString("x2"));
        }
        return hex.ToString();
    }

    /// <summary>The C# source of Kernel.scheme.initfs.Gen for these entries (folder: for the comment only).</summary>
    public static string Emit(List<InitFsEntry> entries, string folder)
    {
        var code = new StringBuilder();
        code.Append("// <auto-generated> by csharp-kernel/tools/initfs/GenerateInitFs.cs");
        code.Append(folder == null ? " (no INITFS: an empty folder)" : " from the folder " + Escape(folder));
        code.Append(". Do not edit. </auto-generated>\n");
        code.Append("namespace Kernel.scheme.initfs\n{\n");
        code.Append("    /// <summary>The embedded initfs (see csharp-kernel/README.md, \"The initfs\"): entry i is build.rs's i-th insert;\n");
        code.Append("    /// names and data are strings of one char per byte (0..255).</summary>\n");
        code.Append("    public static partial class Gen\n    {\n");
        code.Append("        public const int COUNT = ").Append(entries.Count).Append(";\n");
        code.Append("        public const string FINGERPRINT = \"initfs-sha256:").Append(Fingerprint(entries)).Append("\";\n");
        EmitSwitch(code, "string", "Name", entries, e => Literal(Encoding.ASCII.GetBytes(e.Key)), "null");
        EmitSwitch(code, "string", "Data", entries, e => Literal(e.Data), "null");
        EmitSwitch(code, "bool", "IsDir", entries, e => e.IsDir ? "true" : "false", "false");
        code.Append("    }\n}\n");
        return code.ToString();
    }

    static void EmitSwitch(StringBuilder code, string type, string name, List<InitFsEntry> entries, Func<InitFsEntry, string> value, string otherwise)
    {
        code.Append("        public static ").Append(type).Append(' ').Append(name).Append("(int i)\n        {\n");
        code.Append("            switch (i)\n            {\n");
        for (int i = 0; i < entries.Count; i++)
        {
            code.Append("                case ").Append(i).Append(": return ").Append(value(entries[i])).Append(";\n");
        }
        code.Append("                default: return ").Append(otherwise).Append(";\n");
        code.Append("            }\n        }\n");
    }

    static string Literal(byte[] data)
    {
        var s = new StringBuilder(data.Length * 6 + 2);
        s.Append('"');
        foreach (byte b in data)
        {
            if (b >= 0x20 && b < 0x7F && b != (byte)'"' && b != (byte)'\\')
            {
                s.Append((char)b);
            }
            else
            {
                s.Append("\\u00").Append(b.ToString("X2"));
            }
        }
        s.Append('"');
        return s.ToString();
    }

    static string Escape(string s) => s.Replace("\n", " ").Replace("\r", " ");
}

public sealed class InitFsException : Exception
{
    public InitFsException(string message) : base(message) { }
}

#if !INITFS_LISTING_ONLY
public class GenerateInitFs : Task
{
    /// <summary>The folder to embed; empty: an empty folder (the root entry alone), as the recordings' build.</summary>
    public string Folder { get; set; }
    [Required] public string CodeFile { get; set; }

    public override bool Execute()
    {
        string code;
        try
        {
            bool none = string.IsNullOrWhiteSpace(Folder);
            var entries = none ? InitFsListing.Empty() : InitFsListing.Scan(Folder);
            code = InitFsListing.Emit(entries, none ? null : Path.GetFullPath(Folder));
        }
        catch (InitFsException e)
        {
            Log.LogError("INITFS: " + e.Message);
            return false;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(CodeFile)));
        // Written only when it changes, so that an unchanged initfs does not recompile the kernel.
        if (!File.Exists(CodeFile) || File.ReadAllText(CodeFile) != code)
        {
            File.WriteAllText(CodeFile, code);
        }
        return true;
    }
}
#endif
