namespace Runtype.Domain.Common;

/// <summary>A broken business rule. Each rule has its own named subclass; the API maps them to HTTP in one place.</summary>
public abstract class DomainException(string message) : Exception(message);
