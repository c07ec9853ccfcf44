namespace VoiceBridge.Server.Tests.Repository.CycleSample.Right;

/// <summary>The other half of the deliberate cycle.</summary>
internal sealed class RightSide
{
    public Left.LeftSide? Other { get; set; }
}
