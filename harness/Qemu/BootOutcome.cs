using System.Text;

namespace Harness.Qemu;

/// <summary>How a QEMU run ended. Every outcome carries the run's <see cref="Transcript"/>.</summary>
public abstract record BootOutcome
{
    private BootOutcome() { }

    public RunTranscript Transcript { get; init; } = RunTranscript.Empty;

    /// <summary>One line for a terminal.</summary>
    public abstract string Describe();

    /// <summary>The guest wrote <paramref name="Code"/> to isa-debug-exit; QEMU exited with (Code &lt;&lt; 1) | 1.</summary>
    public sealed record ExitedClean(int Code) : BootOutcome
    {
        public int QemuStatus => (Code << 1) | 1;
        public override string Describe() => $"exited through isa-debug-exit with 0x{Code:X} (QEMU status {QemuStatus})";
    }

    /// <summary>The loader gave up; <paramref name="Message"/> is its debugcon line ("loader: ...").</summary>
    public sealed record LoaderError(string Message, int Code) : BootOutcome
    {
        public override string Describe() => Message;
    }

    /// <summary>The kernel printed a line starting "PANIC:"; the lines that followed within the grace period too.</summary>
    public sealed record Panic(string Line, IReadOnlyList<string> Following) : BootOutcome
    {
        public override string Describe() => Line;
    }

    /// <summary>The run's time was up; the last serial lines.</summary>
    public sealed record Timeout(TimeSpan After, IReadOnlyList<string> LastLines) : BootOutcome
    {
        public override string Describe() => $"timeout after {After.TotalSeconds:0.###} s" +
            (LastLines.Count > 0 ? $"; last serial line: {LastLines[^1]}" : "; no serial output");
    }

    /// <summary>
    /// COM1 was silent for <paramref name="Quiet"/> (QemuOptions.QuietEnd) with QEMU running and no panic: the
    /// kernel sits in its idle loop (kmain's halt) with no process left to run: all exited, or all blocked for
    /// good (the last serial lines tell which). Neither kernel says so itself; see harness/Qemu/README.md.
    /// </summary>
    public sealed record Idle(TimeSpan Quiet, IReadOnlyList<string> LastLines) : BootOutcome
    {
        public override string Describe() => $"idle: no serial output for {Quiet.TotalSeconds:0.###} s, no process left to run" +
            (LastLines.Count > 0 ? $"; last serial line: {LastLines[^1]}" : "");
    }

    /// <summary>The CPU triple-faulted (QEMU logged "Triple fault"; -no-reboot ended the run).</summary>
    public sealed record TripleFault(string Detail) : BootOutcome
    {
        public override string Describe() => $"triple fault: {Detail}";
    }

    /// <summary>QEMU ended with status 0 without a triple fault or a power-off: the guest reset the machine (-no-reboot ended it).</summary>
    public sealed record Reset(string Detail) : BootOutcome
    {
        public override string Describe() => $"reset: {Detail}";
    }

    /// <summary>
    /// QEMU ended with status 0 after the guest powered the machine off (ACPI S5: SLP_EN in PM1a's control
    /// register), which QEMU logs as the trace event qemu_system_shutdown_request with reason 6 (guest-shutdown).
    /// </summary>
    public sealed record PowerOff(string Detail) : BootOutcome
    {
        public override string Describe() => $"power-off: {Detail}";
    }

    /// <summary>QEMU ended on its own in a way none of the above explains (bad arguments, a crash, a signal).</summary>
    public sealed record QemuDied(int ExitStatus, string Stderr) : BootOutcome
    {
        public override string Describe() => $"QEMU died with status {ExitStatus}" +
            (string.IsNullOrWhiteSpace(Stderr) ? "" : ": " + Stderr.Trim().Split('\n')[0]);
    }

    /// <summary>The QEMU executable is not there.</summary>
    public sealed record QemuMissing(string Message) : BootOutcome
    {
        public override string Describe() => Message;
    }
}

/// <summary>What a run left behind.</summary>
public sealed record RunTranscript
{
    public static RunTranscript Empty { get; } = new();

    /// <summary>Everything the guest wrote to COM1, byte for byte.</summary>
    public ReadOnlyMemory<byte> Serial { get; init; }

    /// <summary>The debugcon (port 0xE9) text: the loader's error line, if any.</summary>
    public string Debugcon { get; init; } = "";

    public string Stderr { get; init; } = "";

    /// <summary>The executable and its arguments.</summary>
    public IReadOnlyList<string> CommandLine { get; init; } = [];

    /// <summary>QEMU's exit status, or null when the runner stopped it.</summary>
    public int? ExitStatus { get; init; }

    /// <summary>From QEMU's start to the end of the run.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>From QEMU's start to the first COM1 byte, or null without output.</summary>
    public TimeSpan? FirstSerialByte { get; init; }

    /// <summary>From QEMU's start to the last COM1 byte, or null without output.</summary>
    public TimeSpan? LastSerialByte { get; init; }

    /// <summary>The longest silence on COM1 between its first and last byte (for a Redox boot: device_noncore's RTC wait, which follows the host clock).</summary>
    public TimeSpan LongestSerialGap { get; init; }

    public string SerialText => Encoding.UTF8.GetString(Serial.Span);
}
