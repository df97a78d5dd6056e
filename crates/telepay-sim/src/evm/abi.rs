//! The simulator's own copy of the ERC-20 ABI (kept apart from the wallet's on purpose, so a
//! mistake in one is not mirrored by the other).

alloy_sol_types::sol! {
    #[allow(missing_docs)]
    interface IERC20 {
        function transfer(address to, uint256 amount) external returns (bool);
        function balanceOf(address owner) external view returns (uint256);
        function decimals() external view returns (uint8);
        function symbol() external view returns (string);
        function name() external view returns (string);
        function totalSupply() external view returns (uint256);
        event Transfer(address indexed from, address indexed to, uint256 value);
    }
}
