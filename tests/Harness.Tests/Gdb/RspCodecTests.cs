using System.Text;
using Harness.Gdb;
using Harness.Gdb.Protocol;

namespace Harness.Tests.Gdb;

/// <summary>The wire format: framing, checksums, escaping, run-length encoding, packet splitting.</summary>
public class RspCodecTests
{
    [Fact]
    public void Frame_adds_dollar_hash_and_two_digit_checksum()
    {
        Assert.Equal("$g#67", Encoding.Latin1.GetString(RspCodec.Frame("g")));
        Assert.Equal("$#00", Encoding.Latin1.GetString(RspCodec.Frame("")));
        Assert.Equal("$OK#9a", Encoding.Latin1.GetString(RspCodec.Frame("OK")));
    }

    [Fact]
    public void Escaping_covers_the_four_special_bytes_and_round_trips()
    {
        byte[] data = [(byte)'#', (byte)'$', 0x7d, (byte)'*', 0x00, 0x41, 0xff];
        var escaped = RspCodec.EscapeBinary(data);
        Assert.Equal([0x7d, 0x03, 0x7d, 0x04, 0x7d, 0x5d, 0x7d, 0x0a, 0x00, 0x41, 0xff], escaped);
        Assert.Equal(data, RspCodec.UnescapeBinary(escaped));

        var all = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        Assert.Equal(all, RspCodec.UnescapeBinary(RspCodec.EscapeBinary(all)));
    }

    [Fact]
    public void A_lone_escape_byte_at_the_end_is_an_error()
    {
        Assert.Throws<GdbProtocolException>(() => RspCodec.UnescapeBinary([0x41, 0x7d]));
    }

    [Theory]
    [InlineData("0* ", "0000")]          // ' ' = 32: three more
    [InlineData("ab*\"c", "abbbbbbc")]   // '"' = 34: five more
    [InlineData("plain", "plain")]
    public void Run_length_encoding_expands_as_gdb_does(string encoded, string expanded)
    {
        Assert.Equal(expanded, Encoding.Latin1.GetString(RspCodec.ExpandRunLength(Encoding.Latin1.GetBytes(encoded))));
    }

    [Fact]
    public void The_largest_run_length_count_is_97_more()
    {
        var expanded = Encoding.Latin1.GetString(RspCodec.ExpandRunLength("x*~y"u8));
        Assert.Equal(new string('x', 98) + "y", expanded);
    }

    [Theory]
    [InlineData("*a")]   // nothing to repeat
    [InlineData("a*")]   // no count
    [InlineData("a*\x01")] // count below the printable range
    public void Broken_run_length_encoding_is_an_error(string encoded)
    {
        Assert.Throws<GdbProtocolException>(() => RspCodec.ExpandRunLength(Encoding.Latin1.GetBytes(encoded)));
    }

    [Theory]
    [InlineData("O48690a", true)]
    [InlineData("OK", false)]
    [InlineData("O4", false)]
    [InlineData("Oxyz1", false)]
    public void Console_output_packets_are_O_and_hex_but_OK_is_not_one(string payload, bool isConsole)
    {
        Assert.Equal(isConsole, RspCodec.IsConsoleOutput(Encoding.Latin1.GetBytes(payload)));
    }

    [Fact]
    public void Hex_decoding_rejects_odd_length_and_non_hex()
    {
        Assert.Equal([0xea, 0x5b], RspCodec.FromHex("ea5B"));
        Assert.Throws<GdbProtocolException>(() => RspCodec.FromHex("abc"));
        Assert.Throws<GdbProtocolException>(() => RspCodec.FromHex("zz"));
    }

    [Fact]
    public void Hex_decoding_of_a_long_reply_matches_the_bytes_and_names_a_bad_digit_anywhere_in_it()
    {
        // A g reply or a page read is long enough for the vectorised decoder; a bad digit deep inside still fails with its position's text.
        var bytes = Enumerable.Range(0, 4096).Select(i => (byte)(i * 7 + 3)).ToArray();
        Assert.Equal(bytes, RspCodec.FromHex(Convert.ToHexStringLower(bytes)));
        Assert.Equal(bytes, RspCodec.FromHex(Convert.ToHexString(bytes)));
        var bad = Convert.ToHexStringLower(bytes).ToCharArray();
        bad[5001] = 'x';
        var e = Assert.Throws<GdbProtocolException>(() => RspCodec.FromHex(new string(bad)));
        Assert.Contains("is not a hex byte", e.Message);
        Assert.Empty(RspCodec.FromHex(""));
    }

    [Fact]
    public void Packet_parser_finds_acks_naks_and_packets_among_noise()
    {
        var parser = new PacketParser();
        var events = Encoding.Latin1.GetBytes("x+-$OK#9a$bad#00\x03$a$S05#b8")
            .Select(parser.Feed)
            .Where(e => e.Kind != PacketParser.EventKind.None)
            .ToList();
        Assert.Equal(
            [PacketParser.EventKind.Ack, PacketParser.EventKind.Nak, PacketParser.EventKind.Packet,
             PacketParser.EventKind.BadChecksum, PacketParser.EventKind.Packet],
            events.Select(e => e.Kind));
        Assert.Equal("OK", Encoding.Latin1.GetString(events[2].Body!));
        Assert.Equal("S05", Encoding.Latin1.GetString(events[4].Body!)); // '$' restarted the packet
    }

    [Fact]
    public void Stop_replies_of_every_kind_parse()
    {
        var t = StopReply.Parse("T05thread:p01.01;hwbreak:;");
        Assert.Equal((StopKind.Signal, 5, "p01.01"), (t.Kind, t.Signal, t.Thread));
        Assert.True(t.Properties.ContainsKey("hwbreak"));

        var s = StopReply.Parse("S02");
        Assert.Equal((StopKind.Signal, 2, (string?)null), (s.Kind, s.Signal, s.Thread));

        var w = StopReply.Parse("W01;process:1");
        Assert.Equal((StopKind.Exited, 1, true), (w.Kind, w.ExitCode!.Value, w.HasExited));

        var x = StopReply.Parse("X09");
        Assert.Equal((StopKind.Terminated, 9, true), (x.Kind, x.Signal, x.HasExited));

        Assert.Throws<GdbProtocolException>(() => StopReply.Parse("OK"));
    }
}

/// <summary>The pump's bulk path through a packet body finds the same events as feeding byte by byte.</summary>
public class PacketParserBulkTests
{
    private static List<(PacketParser.EventKind, string?)> Parse(byte[] stream, bool bulk)
    {
        var parser = new PacketParser();
        var events = new List<(PacketParser.EventKind, string?)>();
        for (var i = 0; i < stream.Length; i++)
        {
            if (bulk)
            {
                i += parser.TakeBody(stream.AsSpan(i));
                if (i == stream.Length) break;
            }
            var ev = parser.Feed(stream[i]);
            if (ev.Kind != PacketParser.EventKind.None)
                events.Add((ev.Kind, ev.Body is null ? null : System.Text.Encoding.ASCII.GetString(ev.Body)));
        }
        return events;
    }

    [Fact]
    public void Bulk_and_bytewise_parsing_agree_on_packets_acks_restarts_and_bad_checksums()
    {
        var good = RspCodec.Frame("m123,4"u8.ToArray());
        var stream = new List<byte>();
        stream.AddRange("+"u8.ToArray());
        stream.AddRange(good);
        stream.AddRange("$abc$def"u8.ToArray());       // a '$' inside a packet restarts it
        stream.AddRange("#00"u8.ToArray());            // bad checksum for "def"
        stream.AddRange("-"u8.ToArray());
        stream.AddRange(RspCodec.Frame(new byte[3000].Select(_ => (byte)'a').ToArray()));
        stream.AddRange("$unfinished"u8.ToArray());    // cut off: no event

        var bytewise = Parse([.. stream], bulk: false);
        Assert.Equal(bytewise, Parse([.. stream], bulk: true));
        Assert.Equal([PacketParser.EventKind.Ack, PacketParser.EventKind.Packet, PacketParser.EventKind.BadChecksum, PacketParser.EventKind.Nak,
            PacketParser.EventKind.Packet], bytewise.Select(e => e.Item1));
        Assert.Equal("def", bytewise[2].Item2);
        Assert.Equal(3000, bytewise[4].Item2!.Length);
    }
}
