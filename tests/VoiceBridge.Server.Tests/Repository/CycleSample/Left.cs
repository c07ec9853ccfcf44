namespace VoiceBridge.Server.Tests.Repository.CycleSample.Left;

/// <summary>Half of a deliberate cycle that <see cref="ArchitectureTests"/> must detect.</summary>
internal sealed class LeftSide
{
    public Right.RightSide? Other { get; set; }
}
