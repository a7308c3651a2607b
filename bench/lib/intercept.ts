// A warrant on a bench caller, as the intercept administrator makes one through the admin API:
// an agency, then a warrant for calls and content (snoop + recording) valid for a day.
export async function warrantOn(admin: { url: string; interceptToken: string }, userId: string): Promise<{ agencyId: string; warrantId: string }> {
  const post = async (path: string, body: unknown): Promise<{ id?: string }> => {
    const res = await fetch(`${admin.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin.interceptToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const answer = (await res.json()) as { id?: string };
    if (res.status !== 201 || !answer.id) throw new Error(`POST ${path} answered ${res.status} ${JSON.stringify(answer)}`);
    return answer;
  };
  const agency = await post('/v1/agencies', { name: `bench-agency-${Date.now().toString(36)}` });
  const now = Date.now();
  const warrant = await post('/v1/warrants', {
    agencyId: agency.id,
    targets: [{ type: 'user', value: userId }],
    content: true,
    validFrom: new Date(now - 60_000).toISOString(),
    validUntil: new Date(now + 24 * 3600_000).toISOString(),
  });
  return { agencyId: agency.id as string, warrantId: warrant.id as string };
}
