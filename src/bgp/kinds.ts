// The datastore kinds the BGP configuration derives from (config.ts): what the agent's syncer must carry
// when it feeds the speaker (node-integration.ts BgpResourceSource). A module of its own so the agent can
// read it without loading the speaker.
export const BGP_KINDS = ['Node', 'BGPConfiguration', 'BGPPeer', 'BGPFilter', 'IPPool', 'IPAMBlock', 'BlockAffinity'] as const;
