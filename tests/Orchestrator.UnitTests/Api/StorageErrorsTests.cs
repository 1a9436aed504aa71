using Microsoft.AspNetCore.Http;
using Orchestrator.Api.Jobs;

namespace Orchestrator.UnitTests.Api;

public sealed class StorageErrorsTests
{
    [Fact]
    public void A_real_full_device_write_is_a_507()
    {
        // /dev/full fails every write with ENOSPC, exactly as a full disk does.
        var failure = Assert.ThrowsAny<IOException>(() =>
        {
            using var full = new FileStream("/dev/full", FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1);
            full.Write(new byte[4096]);
            full.Flush();
        });

        Assert.True(StorageErrors.IsFull(failure), $"{failure.GetType().Name} {failure.HResult}: {failure.Message}");
        var rejection = StorageErrors.Rejection(failure);
        Assert.Equal(StatusCodes.Status507InsufficientStorage, rejection.StatusCode);
        Assert.DoesNotContain("/dev", rejection.Message);
    }

    [Fact]
    public void Any_other_write_failure_is_a_503_without_the_path()
    {
        var failure = Assert.ThrowsAny<IOException>(() => File.WriteAllText("/proc/version/x", "x"));

        var rejection = StorageErrors.Rejection(failure);
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, rejection.StatusCode);
        Assert.DoesNotContain("/proc", rejection.Message);
    }
}
