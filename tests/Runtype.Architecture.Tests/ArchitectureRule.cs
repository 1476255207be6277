using Mono.Cecil;
using NetArchTest.Rules;

namespace Runtype.Architecture.Tests;

/// <summary>What a rule looked at and what it found: the selected types and the types that break it.</summary>
internal sealed record RuleOutcome(string Rule, IReadOnlyList<Type> Selected, IReadOnlyList<string> Violations)
{
    public bool Holds => Violations.Count == 0;
}

/// <summary>
/// The rule helpers every test uses. Each takes a selection (built afresh for each query) and returns a
/// <see cref="RuleOutcome"/>; <see cref="AssertHolds"/> then refuses an empty selection as firmly as a
/// violation, so a wrong assembly or namespace cannot turn a rule into one that checks nothing.
/// </summary>
internal static class ArchitectureRule
{
    public static RuleOutcome MustNotDependOn(string rule, Func<PredicateList> selection, params string[] forbidden) =>
        Evaluate(rule, selection, conditions => conditions.NotHaveDependencyOnAny(forbidden));

    public static RuleOutcome MustBeSealed(string rule, Func<PredicateList> selection) =>
        Evaluate(rule, selection, conditions => conditions.BeSealed());

    public static RuleOutcome MustBeRecords(string rule, Func<PredicateList> selection) =>
        Evaluate(rule, selection, conditions => conditions.MeetCustomRule(new IsRecord()));

    /// <summary>
    /// The rule selected at least one type, every one of <paramref name="mustInclude"/> among them, and no
    /// selected type breaks it.
    /// </summary>
    public static void AssertHolds(RuleOutcome outcome, params Type[] mustInclude)
    {
        Assert.True(outcome.Selected.Count > 0, $"'{outcome.Rule}' selected no types: it would pass without checking anything.");
        foreach (var expected in mustInclude)
        {
            Assert.True(
                outcome.Selected.Contains(expected),
                $"'{outcome.Rule}' did not select {expected.FullName}; selected: {string.Join(", ", outcome.Selected.Select(t => t.FullName))}.");
        }

        Assert.True(outcome.Holds, $"'{outcome.Rule}' is broken by: {string.Join(", ", outcome.Violations)}.");
    }

    private static RuleOutcome Evaluate(string rule, Func<PredicateList> selection, Func<Conditions, ConditionList> condition)
    {
        var selected = selection().GetTypes().ToArray();
        var result = condition(selection().Should()).GetResult();
        var violations = result.IsSuccessful ? [] : result.FailingTypeNames?.ToArray() ?? ["(NetArchTest reported a failure without naming a type)"];
        return new RuleOutcome(rule, selected, violations);
    }

    /// <summary>A C# record class: the compiler gives every one a <c>&lt;Clone&gt;$</c> method (what <c>with</c> calls).</summary>
    private sealed class IsRecord : ICustomRule
    {
        public bool MeetsRule(TypeDefinition type) => type.Methods.Any(m => m.Name == "<Clone>$");
    }
}
