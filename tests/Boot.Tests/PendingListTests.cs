using Harness.Gate;

namespace Boot.Tests;

/// <summary>The pending list may become empty: a file with only its header comments is an empty list.</summary>
public class PendingListTests
{
    [Fact]
    public void The_committed_pending_list_is_empty_and_keeps_its_header()
    {
        var path = Path.Combine(Repo.Root, "traces", PendingList.FileName);
        Assert.Empty(PendingList.Load(path).Entries);
        Assert.StartsWith("# The scenarios the port does not pass yet", File.ReadAllText(path), StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_of_comments_only_is_an_empty_list()
    {
        var path = Path.Combine(Path.GetTempPath(), $"pending-{Guid.NewGuid():n}.toml");
        try
        {
            File.WriteAllText(path, "# nothing is pending\n\n");
            Assert.Empty(PendingList.Load(path).Entries);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
