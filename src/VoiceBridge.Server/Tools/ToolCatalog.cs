using System.Collections.Frozen;
using VoiceBridge.Realtime.Protocol;

namespace VoiceBridge.Server.Tools;

/// <summary>
/// Every tool of this server: the built-ins, the ones configured under <c>Tools:Http</c> and the <see cref="ITool"/>
/// implementations registered in code. Their definitions go to the model in the session policy; calls are looked up here.
/// </summary>
internal sealed class ToolCatalog
{
    private readonly FrozenDictionary<string, ITool> _tools;

    public ToolCatalog(IEnumerable<ITool> tools)
    {
        ArgumentNullException.ThrowIfNull(tools);
        var byName = new Dictionary<string, ITool>(StringComparer.Ordinal);
        foreach (var tool in tools)
        {
            // Two tools with one name would make the model's call ambiguous: a configuration error found at startup.
            if (!byName.TryAdd(tool.Name, tool))
            {
                throw new InvalidOperationException($"Two tools are named '{tool.Name}'; tool names must be unique.");
            }
        }

        _tools = byName.ToFrozenDictionary(StringComparer.Ordinal);
        Definitions = [.. byName.Values.Select(tool => new RealtimeTool { Name = tool.Name, Description = tool.Description, Parameters = tool.Parameters })];
    }

    /// <summary>The <c>tools</c> of the session policy.</summary>
    public IReadOnlyList<RealtimeTool> Definitions { get; }

    public int Count => _tools.Count;

    public ITool? Find(string name) => _tools.GetValueOrDefault(name);
}
