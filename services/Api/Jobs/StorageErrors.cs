namespace Orchestrator.Api.Jobs;

/// <summary>
/// Failures of the jobs directory while a job is stored, as the client should see them: <c>507</c> when the disk or
/// quota is full, <c>503</c> when the directory cannot be written at all. Neither names a path.
/// </summary>
public static class StorageErrors
{
    const int NoSpace = 28;
    const int QuotaExceeded = 122;

    public static bool IsStorageFailure(Exception ex) => ex is IOException or UnauthorizedAccessException;

    /// <summary>Whether <paramref name="ex"/> says the file system is full (ENOSPC or EDQUOT).</summary>
    public static bool IsFull(Exception ex) =>
        ex is IOException io && ((io.HResult & 0xFFFF) is NoSpace or QuotaExceeded
            || io.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase)
            || io.Message.Contains("quota", StringComparison.OrdinalIgnoreCase));

    public static UploadRejectedException Rejection(Exception ex) =>
        IsFull(ex)
            ? new UploadRejectedException(StatusCodes.Status507InsufficientStorage, "Insufficient storage",
                "The job could not be stored: the jobs directory is full. Nothing was kept; retry later.")
            : new UploadRejectedException(StatusCodes.Status503ServiceUnavailable, "Storage unavailable",
                "The job could not be stored: the jobs directory cannot be written. Nothing was kept; retry later.");

    /// <summary>Runs a file system step of storing a job, turning its failure into the client's answer.</summary>
    public static async Task GuardAsync(Func<Task> step, ILogger logger)
    {
        try
        {
            await step();
        }
        catch (Exception ex) when (IsStorageFailure(ex))
        {
            logger.LogError(ex, "Storing a job failed in the jobs directory");
            throw Rejection(ex);
        }
    }

    public static void Guard(Action step, ILogger logger)
    {
        try
        {
            step();
        }
        catch (Exception ex) when (IsStorageFailure(ex))
        {
            logger.LogError(ex, "Storing a job failed in the jobs directory");
            throw Rejection(ex);
        }
    }
}
