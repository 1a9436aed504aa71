namespace Orchestrator.Api.Jobs;

/// <summary>The fields and files of an upload, stored in a staging directory until the job is accepted.</summary>
public sealed record UploadedJob(string StagingDirectory, string? UserId, string? Service, IReadOnlySet<string> FileNames);
