using Harness.Elf;
using Harness.Observe.Map;
using Harness.Tests.Trace;

namespace Harness.Tests.Observe;

/// <summary>The maps' <c>[roles]</c> (where a hang is, compared by role: traces/FORMAT.md, "hang").</summary>
public class RolesTests
{
    [Fact]
    public void Both_committed_maps_name_the_same_roles()
    {
        var port = ObservationMapLoader.Load(ObserveFixtures.PortMap).Roles;
        var original = ObservationMapLoader.Load(ObserveFixtures.OriginalMap).Roles;
        Assert.Equal(["exception::page", "exception::protection", "ksignal", "syscall::exec_noreturn", "syscall::file_op", "syscall::syscall"],
            port.Select(r => r.Name).Order());
        Assert.Equal(port.Select(r => r.Name).Order(), original.Select(r => r.Name).Order());
        Assert.Equal("kernel_exception_protection", port.Single(r => r.Name == "exception::protection").Symbol);
    }

    [Fact]
    public void The_ports_roles_resolve_to_functions_of_its_elf()
    {
        var elf = ElfImage.Load(ObserveFixtures.PortKernel);
        var resolved = ResolvedObservationMap.Resolve(ObservationMapLoader.Load(ObserveFixtures.PortMap), elf);
        Assert.Equal(6, resolved.Roles.Count);
        foreach (var (role, start, size) in resolved.Roles)
        {
            Assert.True(size > 1, $"{role}: a function of one byte?");
            Assert.Equal(start, elf.Resolve(start)!.Symbol.Value);
        }
    }

    [Fact]
    public void A_role_must_name_a_symbol_with_file_and_line()
    {
        using var dir = new TempDir();
        var path = dir.File("bad.toml");
        File.WriteAllText(path, "kernel = \"port\"\nentry = \"kstart\"\n\n[roles]\n\"syscall::file_op\" = 3\n");
        var e = Assert.Throws<ObservationMapException>(() => ObservationMapLoader.Load(path));
        Assert.Contains("bad.toml:5", e.Message);
        Assert.Contains("must be a string", e.Message);
    }

    [Fact]
    public void A_role_whose_symbol_is_missing_is_refused_naming_it()
    {
        var elf = ElfImage.Load(ObserveFixtures.PortKernel);
        using var dir = new TempDir();
        var path = dir.File("roles.toml");
        File.WriteAllText(path, File.ReadAllText(ObserveFixtures.PortMap).Replace("[roles]\n", "[roles]\n\"syscall::nowhere\" = \"No_Such_Function\"\n"));
        var e = Assert.Throws<ObservationMapException>(() => ResolvedObservationMap.Resolve(ObservationMapLoader.Load(path), elf));
        Assert.Contains("role syscall::nowhere", e.Message);
        Assert.Contains("No_Such_Function", e.Message);
    }
}
