namespace Orchestrator.Api.Scripts;

/// <summary>Why a script was refused: the rule, its category, and the 1-based line (null when about the whole file).</summary>
public sealed record ScriptViolation(string Category, string Rule, int? Line, string Message);
