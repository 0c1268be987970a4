namespace MobZ.Rtc.Ice;

public enum IceCheckOutcome
{
    /// <summary>Not answered: not a binding request, bad fingerprint, unknown ufrag, or a closed agent.</summary>
    Dropped,

    /// <summary>Valid check answered with a success response.</summary>
    Success,

    /// <summary>Answered with an error response (<see cref="IceCheckResult.ErrorCode"/>).</summary>
    Error,
}

/// <summary>What handling one binding request did; the response (if any) is in the caller's buffer.</summary>
public readonly record struct IceCheckResult(
    IceCheckOutcome Outcome,
    int ResponseLength,
    int ErrorCode = 0,
    bool Nominated = false,
    bool SelectedAddressChanged = false
)
{
    public static IceCheckResult Dropped => new(IceCheckOutcome.Dropped, 0);

    public bool HasResponse => ResponseLength > 0;

    internal static IceCheckResult Error(int code, int length) => new(IceCheckOutcome.Error, length, code);
}
