using System.Globalization;
using System.Xml;
using System.Xml.Linq;

namespace Harness.Gdb;

/// <summary>One register of the stub's target description.</summary>
/// <param name="Name">Its name (<c>rip</c>, <c>eflags</c>, <c>cr3</c>, <c>fs_base</c>...).</param>
/// <param name="BitSize">Its width in bits.</param>
/// <param name="RegNum">Its number for <c>p</c>/<c>P</c> packets.</param>
/// <param name="Offset">Its byte offset in the <c>g</c> packet's data.</param>
/// <param name="Feature">The feature (XML document) that declared it.</param>
public sealed record RegisterInfo(string Name, int BitSize, int RegNum, int Offset, string Feature)
{
    /// <summary>Its width in bytes.</summary>
    public int ByteSize => (BitSize + 7) / 8;
}

/// <summary>
/// The register layout from the stub's <c>target.xml</c> and the documents it includes
/// (for QEMU x86-64: <c>i386-64bit.xml</c>). Registers without a <c>regnum</c> take the
/// previous one's plus one; <c>g</c> packet offsets follow register numbers.
/// </summary>
public sealed class TargetDescription
{
    private readonly Dictionary<string, RegisterInfo> _byName;

    private TargetDescription(string? architecture, IReadOnlyList<RegisterInfo> registers)
    {
        Architecture = architecture;
        Registers = registers;
        _byName = registers.ToDictionary(r => r.Name, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The <c>&lt;architecture&gt;</c> element (e.g. <c>i386:x86-64</c>), if any.</summary>
    public string? Architecture { get; }

    /// <summary>All registers, ordered by register number.</summary>
    public IReadOnlyList<RegisterInfo> Registers { get; }

    /// <summary>Bytes of register data in a full <c>g</c> reply.</summary>
    public int GPacketSize => Registers.Count == 0 ? 0 : Registers[^1].Offset + Registers[^1].ByteSize;

    /// <summary>The register called <paramref name="name"/> (case-insensitive).</summary>
    /// <exception cref="KeyNotFoundException">No such register; the message lists the known ones.</exception>
    public RegisterInfo this[string name] => TryGet(name, out var info)
        ? info
        : throw new KeyNotFoundException(
            $"the target description has no register '{name}' (known: {string.Join(", ", Registers.Select(r => r.Name))})");

    /// <summary>Looks a register up by name (case-insensitive).</summary>
    public bool TryGet(string name, out RegisterInfo info) => _byName.TryGetValue(name, out info!);

    /// <summary>
    /// Builds the description from the XML documents: <paramref name="fetch"/> returns a
    /// document's text by its annex name (<c>target.xml</c>, then each <c>xi:include href</c>).
    /// </summary>
    /// <exception cref="GdbProtocolException">A document is not well-formed XML or a register lacks name or bitsize.</exception>
    public static async Task<TargetDescription> LoadAsync(Func<string, Task<string>> fetch, string root = "target.xml")
    {
        var state = new ParseState();
        await ParseDocumentAsync(root, fetch, state, depth: 0).ConfigureAwait(false);
        var ordered = state.Registers.OrderBy(r => r.RegNum).ToList();
        var offset = 0;
        var registers = new List<RegisterInfo>(ordered.Count);
        foreach (var r in ordered)
        {
            registers.Add(r with { Offset = offset });
            offset += r.ByteSize;
        }
        return new TargetDescription(state.Architecture, registers);
    }

    /// <summary>Builds a description from documents held in memory (annex name → XML text).</summary>
    public static Task<TargetDescription> FromDocumentsAsync(IReadOnlyDictionary<string, string> documents, string root = "target.xml") =>
        LoadAsync(name => documents.TryGetValue(name, out var text)
            ? Task.FromResult(text)
            : throw new GdbProtocolException($"target description document '{name}' is missing"), root);

    private static async Task ParseDocumentAsync(string name, Func<string, Task<string>> fetch, ParseState state, int depth)
    {
        if (depth > 8)
        {
            throw new GdbProtocolException($"target description includes nest too deeply at '{name}'");
        }
        var text = await fetch(name).ConfigureAwait(false);
        // Registers and includes in document order: an include's registers take their
        // place (and their implicit numbers) where the include stands.
        foreach (var item in ReadItems(name, text, state))
        {
            if (item.Include is { } href)
            {
                await ParseDocumentAsync(href, fetch, state, depth + 1).ConfigureAwait(false);
            }
            else
            {
                var regnum = item.RegNum ?? state.NextRegNum;
                state.NextRegNum = regnum + 1;
                state.Registers.Add(new RegisterInfo(item.Name!, item.BitSize, regnum, 0, name));
            }
        }
    }

    private static List<DocumentItem> ReadItems(string document, string text, ParseState state)
    {
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, XmlResolver = null, IgnoreComments = true };
        // QEMU's documents use the xi: prefix without declaring it.
        var names = new XmlNamespaceManager(new NameTable());
        names.AddNamespace("xi", "http://www.w3.org/2001/XInclude");
        XDocument xml;
        try
        {
            using var reader = XmlReader.Create(new StringReader(text), settings, new XmlParserContext(null, names, null, XmlSpace.None));
            xml = XDocument.Load(reader);
        }
        catch (XmlException e)
        {
            throw new GdbProtocolException($"target description '{document}' is not well-formed XML: {e.Message}");
        }
        var items = new List<DocumentItem>();
        foreach (var element in xml.Descendants())
        {
            switch (element.Name.LocalName)
            {
                case "architecture":
                    state.Architecture ??= element.Value.Trim();
                    break;
                case "include":
                    items.Add(new DocumentItem(null, 0, null, (string?)element.Attribute("href")
                        ?? throw new GdbProtocolException($"{document}: xi:include without href")));
                    break;
                case "reg":
                    var name = (string?)element.Attribute("name")
                        ?? throw new GdbProtocolException($"{document}: <reg> without name");
                    var bits = ParseInt((string?)element.Attribute("bitsize"), document, name, "bitsize")
                        ?? throw new GdbProtocolException($"{document}: register '{name}' has no bitsize");
                    items.Add(new DocumentItem(name, bits, ParseInt((string?)element.Attribute("regnum"), document, name, "regnum"), null));
                    break;
            }
        }
        return items;
    }

    private static int? ParseInt(string? text, string document, string register, string attribute) =>
        text is null ? null
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value
        : throw new GdbProtocolException($"{document}: register '{register}' has {attribute}=\"{text}\"");

    private readonly record struct DocumentItem(string? Name, int BitSize, int? RegNum, string? Include);

    private sealed class ParseState
    {
        public string? Architecture { get; set; }

        public List<RegisterInfo> Registers { get; } = [];

        public int NextRegNum { get; set; }
    }
}
