using System.Buffers.Binary;
using Harness.Scenarios;

namespace Harness.Unicorn;

/// <summary>
/// What the project's loader (harness/Loader, FIDELITY §1) leaves in memory when it calls the kernel, built
/// directly instead of running it: the firmware's bytes (<see cref="Firmware"/>), the E820 area, KernelArgs at
/// 0x804E, the GDT at 0x8840 and its GDTR image at 0x8836, the call at 0x87F1, the identity + KERNEL_OFFSET
/// tables at 0x70000, the kernel file at 1 MiB, the environment on the top of the stack. A stub at 0x8A00
/// loads the segment registers from that GDT (real segment loads: CS by a far return, the data segments by
/// <c>mov</c>) and jumps to 0x87F1 with the loader's registers, so that the kernel is entered as the loader
/// enters it: <c>call [0x100018]</c> from 0x87F1 (return address 0x87F4 on the stack), RDI = 0x804E, RBP = 0.
/// </summary>
public static class BootImage
{
    public const ulong E820Address = 0x500;
    public const ulong E820End = 0x5000;
    public const int LoaderMaxEntries = 800;
    public const ulong ArgsAddress = 0x804E;
    public const ulong CallSite = 0x87F1;
    public const ulong GdtrAddress = 0x8836;
    public const ulong GdtAddress = 0x8840;
    public const ulong StubAddress = 0x8A00;
    public const ulong Pml4 = 0x70000;
    public const ulong KernelBase = 0x100000;
    public const ulong StackBase = 0xFFFF_FF00_0008_0000;
    public const ulong StackSize = 0x1F000;
    public const ulong KernelOffset = 0xFFFF_FF00_0000_0000;
    public const ulong BootStack = 0x7C00;

    public const ulong Cr0 = 0x8001_0033;   // PG | WP | NE | ET | MP | PE
    public const ulong Cr4 = 0x6B0;         // OSXMMEXCPT | OSFXSR | PGE | PAE | PSE
    public const ulong Efer = 0xD00;        // NXE | LMA | LME

    /// <summary>The loader's KernelArgs for this kernel file, slot and environment.</summary>
    public static (ulong KernelSize, ulong EnvBase, ulong Rsp) Layout(int fileLength, ulong? slot, int envLength)
    {
        var kernelSize = slot ?? (ulong)fileLength;
        var envBase = StackBase + StackSize - (ulong)envLength;
        var rsp = envBase & ~0xFUL;
        return (kernelSize, envBase, rsp);
    }

    /// <summary>Writes everything but the E820 entries (written per run by <see cref="WriteE820"/>).</summary>
    internal static void Write(GuestMemory m, byte[] kernel, ulong? slot, byte[] env, Firmware fw)
    {
        if (slot is { } s && s < (ulong)kernel.Length)
            throw new ArgumentException($"a kernel slot of 0x{s:x} bytes is smaller than the kernel file (0x{kernel.Length:x} bytes)");
        if (env.Length > BootSpec.MaxEnvBytes)
            throw new ArgumentException($"the environment is {env.Length} bytes; the loader takes at most {BootSpec.MaxEnvBytes}");

        m.WritePhysical(Firmware.IvtAddress, fw.Ivt);
        m.WritePhysical(Firmware.VbeCardAddress, fw.VbeCard);
        m.WritePhysical(Firmware.VbeModeAddress, fw.VbeMode);

        var (kernelSize, envBase, rsp) = Layout(kernel.Length, slot, env.Length);
        Span<byte> args = stackalloc byte[48];
        ulong[] values = [KernelBase, kernelSize, StackBase, StackSize, envBase, (ulong)env.Length];
        for (var i = 0; i < 6; i++) BinaryPrimitives.WriteUInt64LittleEndian(args[(i * 8)..], values[i]);
        m.WritePhysical(ArgsAddress, args);

        // call [rax + 0x18]; .returned: cli; hlt; jmp .returned
        m.WritePhysical(CallSite, [0xFF, 0x50, 0x18, 0xFA, 0xF4, 0xEB, 0xFC]);
        // GDTR image: limit 0x19, base 0x8840; GDT: null, code (present, L), data (present, writable); 2 zero bytes
        m.WritePhysical(GdtrAddress, [0x19, 0x00, 0x40, 0x88, 0, 0, 0, 0, 0, 0]);
        m.WritePhysical(GdtAddress, [
            0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0x98, 0x20, 0,
            0, 0, 0, 0, 0, 0x92, 0x00, 0,
            0, 0]);

        // Tables: PML4[0] = PML4[510] = PDP | 3, PML4[511] = PML4 | 3; PDP[0..3] = PD i | 3; 2048 × 2 MiB | 0x83.
        var tables = new byte[0x6000];
        void Put(int offset, ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(tables.AsSpan(offset), value);
        Put(0 * 8, 0x71003);
        Put(510 * 8, 0x71003);
        Put(511 * 8, 0x70003);
        for (var i = 0; i < 4; i++) Put(0x1000 + i * 8, (ulong)(0x72003 + i * 0x1000));
        for (var i = 0; i < 2048; i++) Put(0x2000 + i * 8, ((ulong)i << 21) | 0x83);
        m.WritePhysical(Pml4, tables);

        m.WritePhysical(KernelBase, kernel);
        if (slot is { } sl && sl > (ulong)kernel.Length)
            m.Touch(KernelBase + sl - 1); // the rest of the slot: zeros, present
        m.WritePhysical(envBase - KernelOffset, env);

        m.WritePhysical(StubAddress, Stub(rsp));
    }

    private static byte[] Stub(ulong rsp)
    {
        var code = new List<byte>();
        // mov eax, 0x70000; mov cr3, rax: the loader loads CR3 too, and a reload inside emulation flushes Unicorn's TLB
        // for sure (a restored context keeps it), so the accessed bits the first walks set are set on every run.
        code.AddRange([0xB8, 0x00, 0x00, 0x07, 0x00]);
        code.AddRange([0x0F, 0x22, 0xD8]);
        code.AddRange([0xB8, 0x10, 0, 0, 0]);        // mov eax, 0x10
        code.AddRange([0x8E, 0xD8]);                 // mov ds, eax
        code.AddRange([0x8E, 0xC0]);                 // mov es, eax
        code.AddRange([0x8E, 0xE0]);                 // mov fs, eax
        code.AddRange([0x8E, 0xE8]);                 // mov gs, eax
        code.AddRange([0x8E, 0xD0]);                 // mov ss, eax
        code.AddRange([0x6A, 0x08]);                 // push 8
        var next = (uint)StubAddress + (uint)code.Count + 5 + 2;
        code.Add(0x68);                              // push next
        code.AddRange(BitConverter.GetBytes(next));
        code.AddRange([0x48, 0xCB]);                 // retfq
        code.AddRange([0x48, 0xBC]);                 // mov rsp, imm64
        code.AddRange(BitConverter.GetBytes(rsp));
        code.AddRange([0xBF, 0x4E, 0x80, 0, 0]);     // mov edi, 0x804e
        code.AddRange([0x31, 0xED]);                 // xor ebp, ebp
        code.AddRange([0x31, 0xC9]);                 // xor ecx, ecx (the environment copy's counter)
        code.AddRange([0xBE, 0x40, 0x90, 0, 0]);     // mov esi, 0x9040 (the config block's environment)
        code.AddRange([0xB8, 0, 0, 0x10, 0]);        // mov eax, 0x100000
        var at = StubAddress + (ulong)code.Count + 5;
        code.Add(0xE9);                              // jmp 0x87f1
        code.AddRange(BitConverter.GetBytes((int)((long)CallSite - (long)at)));
        return [.. code];
    }

    /// <summary>The loader's E820 area: zeros from 0x500 to 0x5000, then up to 800 entries of 24 bytes.</summary>
    internal static void WriteE820(GuestMemory m, IReadOnlyList<E820Area> areas)
    {
        if (areas.Count > LoaderMaxEntries)
            throw new ArgumentException($"{areas.Count} E820 entries: the loader stores at most {LoaderMaxEntries}");
        var bytes = new byte[E820End - E820Address];
        for (var i = 0; i < areas.Count; i++)
        {
            var e = bytes.AsSpan(i * 24, 24);
            BinaryPrimitives.WriteUInt64LittleEndian(e, areas[i].Base);
            BinaryPrimitives.WriteUInt64LittleEndian(e[8..], areas[i].Length);
            BinaryPrimitives.WriteUInt32LittleEndian(e[16..], areas[i].Type);
            BinaryPrimitives.WriteUInt32LittleEndian(e[20..], areas[i].Acpi);
        }
        m.WritePhysical(E820Address, bytes);
    }
}
