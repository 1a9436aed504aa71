using System.Text.RegularExpressions;

namespace Orchestrator.Api.Scripts;

/// <summary>One pattern of the script policy, matched against each line of the script.</summary>
public sealed record ScriptRule(string Category, string Name, Regex Pattern, string What);
